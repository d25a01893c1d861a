package lb.config;

/** Any thread (immutable). How an access-log line is written: {@code access_log_format}. */
public enum AccessLogFormat {
    /** {@code key=value} pairs, a value quoted only when it needs to be (as Heroku's and Go's logfmt). */
    LOGFMT("logfmt"),
    /** One JSON object per line, numbers as numbers. */
    JSON("json");

    private final String configName;

    AccessLogFormat(String configName) {
        this.configName = configName;
    }

    /** The word the config file uses. */
    public String configName() {
        return configName;
    }

    /** The format the config word names, or null. */
    static AccessLogFormat of(String configName) {
        for (AccessLogFormat format : values()) {
            if (format.configName.equals(configName)) {
                return format;
            }
        }
        return null;
    }
}
