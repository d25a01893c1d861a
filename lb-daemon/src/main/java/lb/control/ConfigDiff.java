package lb.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import lb.config.BackendConfig;
import lb.config.Config;
import lb.config.ListenerConfig;
import lb.config.PoolConfig;

/**
 * Any thread (stateless). How two configs differ, one line per difference, for {@code diff}: the
 * config in effect against the file as it is now, i.e. what a reload would change.
 */
final class ConfigDiff {

    private ConfigDiff() {
    }

    static List<String> between(Config inEffect, Config file) {
        List<String> lines = new ArrayList<>();
        if (!inEffect.daemon().equals(file.daemon())) {
            lines.add("[daemon] settings differ (they apply only at start)");
        }
        if (!inEffect.metrics().equals(file.metrics())) {
            lines.add("[metrics] settings differ (they apply only at start)");
        }
        for (ListenerConfig l : file.listeners()) {
            ListenerConfig old = inEffect.listeners().stream().filter(o -> o.name().equals(l.name())).findFirst()
                    .orElse(null);
            if (old == null) {
                lines.add("listener " + l.name() + ": only in the file");
            } else if (!old.equals(l)) {
                lines.add("listener " + l.name() + ": settings differ");
            }
        }
        for (ListenerConfig old : inEffect.listeners()) {
            if (file.listeners().stream().noneMatch(l -> l.name().equals(old.name()))) {
                lines.add("listener " + old.name() + ": no longer in the file");
            }
        }
        for (PoolConfig p : file.pools()) {
            PoolConfig old = inEffect.pools().stream().filter(o -> o.name().equals(p.name())).findFirst().orElse(null);
            if (old == null) {
                lines.add("pool " + p.name() + ": only in the file");
            } else {
                pool(old, p, lines);
            }
        }
        for (PoolConfig old : inEffect.pools()) {
            if (file.pools().stream().noneMatch(p -> p.name().equals(old.name()))) {
                lines.add("pool " + old.name() + ": no longer in the file");
            }
        }
        return lines;
    }

    private static void pool(PoolConfig old, PoolConfig p, List<String> lines) {
        String prefix = "pool " + p.name() + ": ";
        if (!old.algorithm().equals(p.algorithm())) {
            lines.add(prefix + "algorithm " + old.algorithm() + " -> " + p.algorithm());
        }
        if (old.retries() != p.retries()) {
            lines.add(prefix + "retries " + old.retries() + " -> " + p.retries());
        }
        if (old.proxyProtocol() != p.proxyProtocol()) {
            lines.add(prefix + "proxy_protocol " + old.proxyProtocol().configName() + " -> "
                    + p.proxyProtocol().configName());
        }
        if (!old.balancerOptions().equals(p.balancerOptions())) {
            lines.add(prefix + "balancer options differ");
        }
        if (!old.health().equals(p.health())) {
            lines.add(prefix + "health settings differ");
        }
        if (!Objects.equals(old.connectTimeout(), p.connectTimeout()) || !Objects.equals(old.idleTimeout(),
                p.idleTimeout()) || !Objects.equals(old.halfCloseTimeout(), p.halfCloseTimeout())) {
            lines.add(prefix + "timeouts differ");
        }
        for (BackendConfig b : p.backends()) {
            BackendConfig was = old.backends().stream().filter(o -> o.name().equals(b.name())).findFirst().orElse(null);
            if (was == null) {
                lines.add(prefix + "backend " + b.name() + " only in the file");
            } else if (!was.address().equals(b.address())) {
                lines.add(prefix + "backend " + b.name() + " address differs");
            } else {
                if (was.weight() != b.weight()) {
                    lines.add(prefix + "backend " + b.name() + " weight " + was.weight() + " -> " + b.weight());
                }
                if (was.maxConnections() != b.maxConnections()) {
                    lines.add(prefix + "backend " + b.name() + " max_connections " + was.maxConnections() + " -> "
                            + b.maxConnections());
                }
            }
        }
        for (BackendConfig was : old.backends()) {
            if (p.backends().stream().noneMatch(b -> b.name().equals(was.name()))) {
                lines.add(prefix + "backend " + was.name() + " no longer in the file");
            }
        }
    }
}
