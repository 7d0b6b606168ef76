package io.spanscope.pipeline.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeConverterTest {

    @Test
    void parsesPlainAndBinaryUnits() {
        assertThat(ByteSizeConverter.parse("4096")).isEqualTo(4096);
        assertThat(ByteSizeConverter.parse("64KiB")).isEqualTo(64 * 1024);
        assertThat(ByteSizeConverter.parse("16m")).isEqualTo(16L << 20);
        assertThat(ByteSizeConverter.parse("2 GiB")).isEqualTo(2L << 30);
        assertThat(ByteSizeConverter.parse("1KB")).isEqualTo(1024);
    }

    @Test
    void rejectsWhatIsNotASize() {
        assertThatThrownBy(() -> ByteSizeConverter.parse("lots"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> ByteSizeConverter.parse("-5")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> ByteSizeConverter.parse("999999999999999t"))
                .hasMessageContaining("too large");
    }
}
