package lb.bench.jmh;

import java.util.ArrayList;
import java.util.List;

import org.openjdk.jmh.annotations.Param;

import lb.config.Algorithm;

/**
 * Main thread only. Tells {@code bench/jmh-pick.sh} which of {@link PickBenchmark}'s algorithms it
 * can run: prints {@code registered=a,b,...} and {@code missing=c,d,...} (each in the benchmark's
 * {@code @Param} order), so the script passes {@code -p algorithm=<registered>} and lists the rest
 * as not registered instead of running trials that fail in setup.
 */
public final class PickAlgorithms {

    private PickAlgorithms() {
    }

    public static void main(String[] args) throws NoSuchFieldException {
        List<String> registered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : all()) {
            (Algorithm.isKnown(name) ? registered : missing).add(name);
        }
        System.out.println("registered=" + String.join(",", registered));
        System.out.println("missing=" + String.join(",", missing));
    }

    /** The benchmark's {@code algorithm} parameter values, read from its annotation. */
    static List<String> all() throws NoSuchFieldException {
        Param param = PickBenchmark.PoolState.class.getField("algorithm").getAnnotation(Param.class);
        return List.of(param.value());
    }
}
