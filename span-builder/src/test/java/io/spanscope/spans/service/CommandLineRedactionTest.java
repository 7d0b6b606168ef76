package io.spanscope.spans.service;

import static io.spanscope.spans.service.CommandLineRedaction.MASK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineRedactionTest {

    @Test
    void optionValuesWithSecretNamesAreMasked() {
        assertThat(CommandLineRedaction.redact(List.of("app", "--password=hunter2", "--db-password=x",
                "-Djavax.net.ssl.keyStorePassword=changeit", "--api-key=abc", "API_TOKEN=t0k")))
                .containsExactly("app", "--password=" + MASK, "--db-password=" + MASK,
                        "-Djavax.net.ssl.keyStorePassword=" + MASK, "--api-key=" + MASK, "API_TOKEN=" + MASK);
    }

    @Test
    void theArgumentAfterASecretOptionIsMasked() {
        assertThat(CommandLineRedaction.redact(List.of("app", "--token", "s3cr3t", "--port", "8080")))
                .containsExactly("app", "--token", MASK, "--port", "8080");
    }

    @Test
    void passwordsInUrlsAreMaskedAndTheRestOfTheUrlKept() {
        assertThat(CommandLineRedaction.redact(List.of("worker", "postgres://orders:pw@db.internal:5432/orders",
                "--broker=amqp://guest:guest@rabbit/")))
                .containsExactly("worker", "postgres://orders:" + MASK + "@db.internal:5432/orders",
                        "--broker=amqp://guest:" + MASK + "@rabbit/");
    }

    @Test
    void aFlagThatOnlyNamesASecretDoesNotSwallowTheNextOption() {
        List<String> argv = List.of("server", "--no-auth", "--port", "8080", "--insecure-auth", "--verbose");
        assertThat(CommandLineRedaction.redact(argv)).isEqualTo(argv);
        assertThat(CommandLineRedaction.redact(List.of("cli", "--token", "s3cr3t", "--port", "1")))
                .containsExactly("cli", "--token", MASK, "--port", "1");
    }

    @Test
    void nothingElseIsChanged() {
        List<String> argv = List.of("/usr/bin/java", "-Xmx512m", "-Dspring.profiles.active=prod", "-cp",
                "a.jar:b.jar", "com.example.Main", "--port=8080", "--url=http://user@host:80/path",
                "https://example.com/a:b@c", "plain", "");
        assertThat(CommandLineRedaction.redact(argv)).isEqualTo(argv);
        assertThat(CommandLineRedaction.commandLine(argv)).isEqualTo(String.join(" ", argv));
    }

    @Test
    void commandLineJoinsTheRedactedArguments() {
        assertThat(CommandLineRedaction.commandLine(List.of("psql", "--password", "x", "-h", "db")))
                .isEqualTo("psql --password " + MASK + " -h db");
    }
}
