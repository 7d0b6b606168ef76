package io.spanscope.spans;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class PeerDirectoryTest {

    private static final Endpoint CALLER = endpoint("10.213.7.10", 40000);
    private static final Endpoint SERVICE_ADDRESS = endpoint("10.213.7.139", 80);
    private static final Endpoint SERVER = endpoint("10.213.7.11", 8080);

    @Test
    void aCallThroughDnatIsNamedByItsSequenceNumbersAndTeachesTheServiceAddress() {
        PeerDirectory directory = new PeerDirectory(16);
        directory.learn(exchange(Role.SERVER, CALLER, SERVER, 1000, 5000), "backend");

        // the caller dialled the service address: only the sequence numbers tie it to backend
        assertThat(directory.serviceFor(exchange(Role.CLIENT, CALLER, SERVICE_ADDRESS, 1000, 5000))).isEqualTo("backend");
        // a later call whose server exchange was not seen (yet) is named by the address learned from the first
        assertThat(directory.serviceFor(exchange(Role.CLIENT, CALLER, SERVICE_ADDRESS, 7000, 9000))).isEqualTo("backend");
    }

    @Test
    void anUnknownAddressWithUnmatchedSequenceNumbersHasNoService() {
        PeerDirectory directory = new PeerDirectory(16);
        directory.learn(exchange(Role.SERVER, CALLER, SERVER, 1000, 5000), "backend");

        assertThat(directory.serviceFor(exchange(Role.CLIENT, CALLER, SERVICE_ADDRESS, 1001, 5000))).isNull();
        // the server's own address still names it, as without NAT
        assertThat(directory.serviceFor(exchange(Role.CLIENT, CALLER, SERVER, 1234, 5678))).isEqualTo("backend");
    }

    @Test
    void exchangesBeyondTheBoundAreForgottenOldestFirst() {
        PeerDirectory directory = new PeerDirectory(2);
        directory.learn(exchange(Role.SERVER, CALLER, endpoint("10.213.7.11", 1), 1, 11), "a");
        directory.learn(exchange(Role.SERVER, CALLER, endpoint("10.213.7.12", 2), 2, 12), "b");
        directory.learn(exchange(Role.SERVER, CALLER, endpoint("10.213.7.13", 3), 3, 13), "c");

        assertThat(directory.serviceFor(exchange(Role.CLIENT, CALLER, SERVICE_ADDRESS, 1, 11))).isNull();
        assertThat(directory.serviceFor(exchange(Role.CLIENT, CALLER, SERVICE_ADDRESS, 3, 13))).isEqualTo("c");
    }

    private static Record exchange(Role role, Endpoint client, Endpoint server, long requestSequence,
                                   long responseSequence) {
        return Record.builder().protocol(Protocol.HTTP1).connectionId(new ConnectionId(1, 3, 1)).role(role)
                .client(client).server(server)
                .request(1, 100, 200, requestSequence, 10)
                .response(1, 300, 400, responseSequence, 20)
                .build();
    }

    private static Endpoint endpoint(String address, int port) {
        try {
            return new Endpoint(InetAddress.getByName(address), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
