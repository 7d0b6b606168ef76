package io.spanscope.pipeline.config;

import java.util.Objects;

/** SASL authentication to the brokers with a user name and password. */
public record KafkaSasl(Mechanism mechanism, String username, String password) {

    public enum Mechanism {
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
        SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
        SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

        private final String kafkaName;
        private final String loginModule;

        Mechanism(String kafkaName, String loginModule) {
            this.kafkaName = kafkaName;
            this.loginModule = loginModule;
        }

        public String kafkaName() {
            return kafkaName;
        }

        String loginModule() {
            return loginModule;
        }

        static Mechanism forName(String name) {
            for (Mechanism m : values()) {
                if (m.kafkaName.equalsIgnoreCase(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    public KafkaSasl {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /** The JAAS line Kafka clients take in {@code sasl.jaas.config}, user and password quoted. */
    public String jaasConfig() {
        return mechanism.loginModule() + " required username=\"" + quote(username) + "\" password=\""
                + quote(password) + "\";";
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "KafkaSasl[" + mechanism.kafkaName + ", user " + username + "]";
    }
}
