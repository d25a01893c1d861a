package lb.config;

import java.util.Locale;

/** Immutable; any thread. Whether a pool's backends get a PROXY protocol header first, and which version. */
public enum ProxyProtocolSend {
    NONE, V1, V2;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
