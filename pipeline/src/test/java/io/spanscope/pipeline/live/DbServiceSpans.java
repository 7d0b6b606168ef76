package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What `spanscope run` must make of peers/db_service.py: each request's one SELECT is a database client
 * span whose parent is that request's server span (the query's column alias names the request).
 */
final class DbServiceSpans {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DbServiceSpans() {
    }

    /**
     * @param spansFile the run's --spans-out file
     * @param service the service name the script was copied under
     */
    static void assertEachQueryIsAChildOfItsRequest(Path spansFile, String service, int requests, String dbSystem,
                                                     String namespace) throws IOException {
        Map<String, JsonNode> serverSpansById = new HashMap<>();
        List<JsonNode> dbCalls = new ArrayList<>();
        for (String line : Files.readAllLines(spansFile)) {
            JsonNode span = JSON.readTree(line);
            if (!span.path("service").asText().equals(service)) {
                continue;
            }
            if (span.path("kind").asText().equals("SERVER")) {
                serverSpansById.put(span.path("spanId").asText(), span);
            } else if (span.path("attributes").has("db.system.name")) {
                dbCalls.add(span);
            }
        }
        assertThat(serverSpansById).hasSize(requests);
        assertThat(dbCalls).as("database client spans of %s", service).hasSize(requests);
        Set<String> parentsSeen = new HashSet<>();
        for (JsonNode call : dbCalls) {
            JsonNode attributes = call.path("attributes");
            assertThat(call.path("kind").asText()).isEqualTo("CLIENT");
            assertThat(attributes.path("db.system.name").asText()).isEqualTo(dbSystem);
            assertThat(attributes.path("db.namespace").asText()).isEqualTo(namespace);
            assertThat(attributes.path("db.operation.name").asText()).isEqualTo("SELECT");
            assertThat(attributes.path("db.response.returned_rows").asLong()).isEqualTo(1);
            String text = attributes.path("db.query.text").asText();
            assertThat(text).matches("SELECT name AS item_\\d+ FROM items WHERE id = \\?");
            String item = text.substring("SELECT name AS item_".length(), text.indexOf(" FROM"));

            JsonNode parent = serverSpansById.get(call.path("parentSpanId").asText());
            assertThat(parent).as("parent of the query of item %s is a %s server span", item, service).isNotNull();
            assertThat(parent.path("attributes").path("url.path").asText())
                    .as("the parent of the query of item %s is the request that ran it", item).isEqualTo("/items/" + item);
            assertThat(call.path("traceId").asText()).isEqualTo(parent.path("traceId").asText());
            parentsSeen.add(parent.path("spanId").asText());
        }
        assertThat(parentsSeen).hasSize(requests);
    }
}
