package io.spanscope.pipeline.builder;

import static io.spanscope.pipeline.wire.WireFragments.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TracedNetworksTest {

    @Test
    void blankMeansAnyCallerMayBeTraced() {
        assertThat(TracedNetworks.parse("").isAny()).isTrue();
        assertThat(TracedNetworks.parse(" , ").isAny()).isTrue();
        assertThat(TracedNetworks.parse(null).test(endpoint("203.0.113.7", 1))).isTrue();
    }

    @Test
    void callersInsideABlockAreTracedAndOthersExternal() {
        TracedNetworks networks = TracedNetworks.parse("10.0.0.0/8, 192.168.4.0/22,fd00:1::/32, 172.16.5.9");
        assertThat(networks.test(endpoint("10.200.3.4", 80))).isTrue();
        assertThat(networks.test(endpoint("11.0.0.1", 80))).isFalse();
        assertThat(networks.test(endpoint("192.168.7.255", 80))).isTrue();
        assertThat(networks.test(endpoint("192.168.8.0", 80))).isFalse();
        assertThat(networks.test(endpoint("192.168.3.255", 80))).isFalse();
        assertThat(networks.test(endpoint("fd00:1:ffff::1", 80))).isTrue();
        assertThat(networks.test(endpoint("fd00:2::1", 80))).isFalse();
        assertThat(networks.test(endpoint("172.16.5.9", 80))).isTrue();
        assertThat(networks.test(endpoint("172.16.5.10", 80))).isFalse();
        // an IPv4 caller on a dual-stack socket arrives IPv4-mapped
        assertThat(networks.test(endpoint("::ffff:10.1.2.3", 80))).isTrue();
        assertThat(networks.test(endpoint("::ffff:8.8.8.8", 80))).isFalse();
        assertThat(networks).hasToString("10.0.0.0/8,192.168.4.0/22,fd00:1:0:0:0:0:0:0/32,172.16.5.9/32");
    }

    @Test
    void loopbackCallersAreAlwaysTraced() {
        TracedNetworks networks = TracedNetworks.parse("10.0.0.0/8");
        assertThat(networks.test(endpoint("127.0.0.1", 80))).isTrue();
        assertThat(networks.test(endpoint("::1", 80))).isTrue();
    }

    @Test
    void hostBitsOfTheNetworkAddressAreIgnored() {
        TracedNetworks networks = TracedNetworks.parse("10.1.2.3/16");
        assertThat(networks.test(endpoint("10.1.200.1", 80))).isTrue();
        assertThat(networks).hasToString("10.1.0.0/16");
        assertThat(TracedNetworks.parse("0.0.0.0/0").test(endpoint("8.8.8.8", 1))).isTrue();
    }

    @Test
    void anythingButAnAddressLiteralWithAFittingPrefixIsRefusedByName() {
        assertThatThrownBy(() -> TracedNetworks.parse("10.0.0.0/8,example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'example.com'");
        assertThatThrownBy(() -> TracedNetworks.parse("10.0.0.0/33"))
                .hasMessageContaining("'10.0.0.0/33'").hasMessageContaining("0 to 32");
        assertThatThrownBy(() -> TracedNetworks.parse("fd00::/129")).hasMessageContaining("0 to 128");
        assertThatThrownBy(() -> TracedNetworks.parse("10.0.0.0/x")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> TracedNetworks.parse("300.1.1.1")).hasMessageContaining("'300.1.1.1'");
    }
}
