package io.spanscope.parsers;

import static io.spanscope.parsers.testing.HttpSamples.CURL_GET;
import static io.spanscope.parsers.testing.HttpSamples.NGINX_JSON_200;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.ConnectionSetup;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

class ConnectionSetupTest {

    private final CollectingSink sink = new CollectingSink();
    private final ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);

    @Test
    void onlyTheFirstExchangeOfAClientConnectionCarriesItsConnectTime() {
        Conversation c = Conversation.client();
        tracker.onOpen(c.open(1_000, false));
        tracker.onEstablished(new ConnectionEstablishedEvent(c.id(), Role.CLIENT, 400, 1_000, 0));
        exchange(c, 2_000);
        exchange(c, 5_000);
        assertThat(sink.records()).hasSize(2);
        ConnectionSetup setup = sink.records().get(0).connectionSetup();
        assertThat(setup.connectDurationNs()).isEqualTo(600);
        assertThat(setup.acceptQueueWaitNs()).isEqualTo(-1);
        assertThat(sink.records().get(1).connectionSetup()).isNull();
    }

    @Test
    void aServerExchangeCarriesTheAcceptQueueWaitOfItsConnection() {
        Conversation c = Conversation.server();
        tracker.onOpen(c.open(9_000, false));
        tracker.onEstablished(new ConnectionEstablishedEvent(c.id(), Role.SERVER, 0, 1_500, 9_000));
        exchange(c, 10_000);
        assertThat(sink.records()).singleElement()
                .satisfies(r -> assertThat(r.connectionSetup().acceptQueueWaitNs()).isEqualTo(7_500));
    }

    @Test
    void setupOfAnUnknownConnectionIsIgnoredAndLaterConnectionsAreUnaffected() {
        Conversation c = Conversation.server();
        tracker.onEstablished(new ConnectionEstablishedEvent(c.id(), Role.SERVER, 0, 1, 2));
        tracker.onOpen(c.open(9_000, false));
        exchange(c, 10_000);
        assertThat(sink.records()).singleElement().satisfies(r -> assertThat(r.connectionSetup()).isNull());
    }

    private void exchange(Conversation c, long t) {
        tracker.onData(c.request(CURL_GET, t, 7));
        tracker.onData(c.response(NGINX_JSON_200, t + 100, 7));
    }
}
