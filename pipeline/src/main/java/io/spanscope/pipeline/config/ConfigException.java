package io.spanscope.pipeline.config;

/**
 * A configuration that cannot start: the message is one line naming the setting, where its value came
 * from and what is wrong. The command line prints it and exits with code 2.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
