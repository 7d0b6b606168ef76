package io.spanscope.parsers;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParserConfigTest {

    @Test
    void defaultRedactionCannotBeRemovedAndAdditionsAreLowerCased() {
        ParserConfig config = ParserConfig.builder().redactHeaders(List.of("X-Session-Token")).build();
        assertThat(config.redactedHeaders()).containsAll(ParserConfig.ALWAYS_REDACTED).contains("x-session-token");
        assertThat(config.isRedacted("cookie")).isTrue();
        assertThat(config.isRedacted("content-type")).isFalse();
    }

    @Test
    void toBuilderRoundTripsAndBuiltConfigsAreImmutable() {
        ParserConfig config = ParserConfig.builder().maxConnections(10).bodyCaptureBytes(512)
                .captureRequestHeaders(List.of("Content-Type", "X-Request-Id")).build();
        ParserConfig copy = config.toBuilder().build();
        assertThat(copy.maxConnections()).isEqualTo(10);
        assertThat(copy.bodyCaptureBytes()).isEqualTo(512);
        assertThat(copy.capturedRequestHeaders()).containsExactly("content-type", "x-request-id");
        assertThatThrownBy(() -> config.capturedRequestHeaders().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void inconsistentLimitsAreRejectedAtBuildTime() {
        assertThatThrownBy(() -> ParserConfig.builder().maxHeaderBytes(256 * 1024).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBufferedBytesPerDirection");
        assertThatThrownBy(() -> ParserConfig.builder().maxConnections(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParserConfig.builder().bodyCaptureBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
