package io.spanscope.pipeline.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS to the brokers: trusted CAs from a truststore or a PEM file, and optionally a client certificate
 * (mutual TLS) from a keystore or PEM certificate + PKCS#8 key files.
 */
public record KafkaTls(
        Path truststore, String truststorePassword, String truststoreType,
        Path keystore, String keystorePassword, String keystoreType, String keyPassword,
        Path caFile, Path certFile, Path keyFile,
        boolean verifyHostname) {

    public KafkaTls {
        Objects.requireNonNull(truststoreType, "truststoreType");
        Objects.requireNonNull(keystoreType, "keystoreType");
    }

    /** TLS with the JVM's default trusted CAs and no client certificate. */
    public static KafkaTls systemTrust() {
        return new KafkaTls(null, null, "PKCS12", null, null, "PKCS12", null, null, null, null, true);
    }

    public boolean mutual() {
        return keystore != null || certFile != null;
    }
}
