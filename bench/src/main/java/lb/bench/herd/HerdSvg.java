package lb.bench.herd;

import java.util.Locale;

/**
 * Any thread (stateless). A line chart of each backend's sessions per second over a herd run, the
 * kill marked by a dashed vertical line. Plain SVG 1.1 written by hand: one {@code polyline} per
 * backend, so scripts (and the tests) can find the series.
 */
final class HerdSvg {

    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int WIDTH = 800;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 120;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private HerdSvg() {
    }

    static String chart(HerdResult r) {
        int k = r.plan().backends();
        double maxX = Math.max(r.plan().durationNs() / 1e9, 1e-3);
        double maxY = 1;
        for (HerdSecond row : r.seconds()) {
            for (int i = 0; i < k; i++) {
                maxY = Math.max(maxY, row.rate(i));
            }
        }
        maxY = niceCeiling(maxY * 1.1);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(LEFT, 22, String.format(Locale.ROOT, "bench herd: sessions/s per backend (retry %s, circuit breaking %s, %d clients)",
                r.plan().retry().cliName(), OnOff.text(r.plan().circuitBreaking()), r.plan().clients()), "start"));
        // Axes and gridlines.
        svg.append(line(LEFT, TOP, LEFT, TOP + plotH, "black", "")).append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "black", ""));
        for (int t = 0; t <= 4; t++) {
            double y = TOP + plotH - plotH * t / 4;
            svg.append(line(LEFT, y, LEFT + plotW, y, "#dddddd", ""));
            svg.append(text(LEFT - 6, y + 4, String.format(Locale.ROOT, "%,.0f", maxY * t / 4), "end"));
        }
        int step = (int) Math.max(1, Math.ceil(maxX / 10));
        for (int s = 0; s <= maxX; s += step) {
            double x = LEFT + plotW * s / maxX;
            svg.append(line(x, TOP + plotH, x, TOP + plotH + 5, "black", ""));
            svg.append(text(x, TOP + plotH + 18, s + "s", "middle"));
        }
        svg.append(text(LEFT + plotW / 2, HEIGHT - 10, "time since start (s)", "middle"));
        // The kill.
        double killX = LEFT + plotW * Math.min(r.killAtS(), maxX) / maxX;
        svg.append(line(killX, TOP, killX, TOP + plotH, "black", " stroke-dasharray=\"6,4\""));
        svg.append(text(killX + 4, TOP + 12, String.format(Locale.ROOT, "b1 killed (%.2fs)", r.killAtS()), "start"));
        // One series per backend: a point per row, at the row's end, starting from 0 at time 0.
        for (int i = 0; i < k; i++) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder points = new StringBuilder(String.format(Locale.ROOT, "%.1f,%.1f", (double) LEFT, TOP + plotH));
            for (HerdSecond row : r.seconds()) {
                double x = LEFT + plotW * Math.min(row.endS(), maxX) / maxX;
                double y = TOP + plotH - plotH * row.rate(i) / maxY;
                points.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                    .append(points).append("\"><title>b").append(i + 1).append("</title></polyline>\n");
            double legendY = TOP + 10 + i * 18;
            svg.append(line(LEFT + plotW + 15, legendY, LEFT + plotW + 40, legendY, colour, " stroke-width=\"2\""));
            svg.append(text(LEFT + plotW + 45, legendY + 4, "b" + (i + 1) + (i == 0 ? " (killed)" : ""), "start"));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String line(double x1, double y1, double x2, double y2, String colour, String extra) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                x1, y1, x2, y2, colour, extra);
    }

    private static String text(double x, double y, String content, String anchor) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor,
                escape(content));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}: round numbers on the y axis. */
    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
