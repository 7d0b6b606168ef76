package io.spanscope.parsers.postgres;

import io.spanscope.capture.event.Direction;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;
import io.spanscope.parsers.testing.CollectingSink;
import io.spanscope.parsers.testing.Conversation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Scripted protocol 3.0 conversations: what each protocol feature turns into. */
class PostgresExchangeTest {

    private final CollectingSink sink = new CollectingSink();
    private ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), sink);
    private final Conversation c = Conversation.client();
    private long clock = 1_000;

    private void send(PgMessages m) {
        tracker.onData(c.send(Direction.EGRESS, m.bytes(), clock++, 11));
    }

    private void receive(PgMessages m) {
        tracker.onData(c.send(Direction.INGRESS, m.bytes(), clock++, 11));
    }

    private void login() {
        tracker.onOpen(c.open(clock++, false));
        send(PgMessages.of().sslRequest());
        receive(PgMessages.of().raw((byte) 'N'));
        send(PgMessages.of().startup("app", "orders", "billing"));
        receive(PgMessages.of().authOk().parameterStatus("server_version", "15.8").ready('I'));
    }

    private List<Record> records() {
        return sink.records();
    }

    @Test
    void refusedSslThenSimpleQueryIsOneRecordWithExactSequences() {
        login();
        long requestSequence = c.sequence(Direction.EGRESS);
        send(PgMessages.of().query("SELECT id FROM invoices WHERE total > 100"));
        long responseSequence = c.sequence(Direction.INGRESS);
        receive(PgMessages.of().rowDescription("id").dataRow("1").dataRow("2").commandComplete("SELECT 2").ready('I'));

        Record r = sink.only();
        assertThat(r.requestSequence()).isEqualTo(requestSequence);
        assertThat(r.responseSequence()).isEqualTo(responseSequence);
        assertThat(r.isIntact()).isTrue();
        assertThat(r.attributes().asMap()).containsEntry("db.system.name", "postgresql")
                .containsEntry("db.namespace", "orders")
                .containsEntry("db.query.text", "SELECT id FROM invoices WHERE total > ?")
                .containsEntry("db.operation.name", "SELECT")
                .containsEntry("db.collection.name", "invoices")
                .containsEntry("db.response.returned_rows", 2L)
                .containsEntry("spanscope.postgresql.user", "app")
                .containsEntry("spanscope.postgresql.application_name", "billing");
    }

    @Test
    void protocol32StartupAndAFunctionCallKeepThePairingInStep() {
        tracker.onOpen(c.open(clock++, false));
        send(PgMessages.of().startup32("app", "orders"));
        receive(PgMessages.of().negotiateProtocolVersion(0).authOk().ready('I'));
        send(PgMessages.of().functionCall(1598));
        receive(PgMessages.of().functionCallResponse().ready('I'));
        send(PgMessages.of().query("SELECT 1"));
        receive(PgMessages.of().rowDescription("x").dataRow("1").commandComplete("SELECT 1").ready('I'));

        Record r = sink.only();
        assertThat(r.isIntact()).isTrue();
        assertThat(r.attributes().getString("db.namespace")).isEqualTo("orders");
        assertThat(tracker.stats().parseErrors()).isZero();
    }

    @Test
    void acceptedSslStopsParsingTheSocketAndIsCounted() {
        tracker.onOpen(c.open(clock++, false));
        send(PgMessages.of().sslRequest());
        receive(PgMessages.of().raw((byte) 'S'));
        byte[] ciphertext = new byte[3000];
        new Random(7).nextBytes(ciphertext);
        send(PgMessages.of().raw(ciphertext));
        receive(PgMessages.of().raw(ciphertext));

        assertThat(records()).isEmpty();
        assertThat(tracker.stats().drops(DropReason.ENCRYPTED_SESSION)).isEqualTo(1);
        assertThat(tracker.stats().parseErrors()).isZero();
        assertThat(tracker.stats().unparsedBytes()).isEqualTo(2L * ciphertext.length);
    }

    @Test
    void passwordsAreSteppedOverAndNeverReachARecord() {
        tracker.onOpen(c.open(clock++, false));
        send(PgMessages.of().startup("app", "orders", null));
        receive(PgMessages.of().raw(new byte[] {'R', 0, 0, 0, 8, 0, 0, 0, 3}));
        send(PgMessages.of().password("hunter2-very-secret"));
        receive(PgMessages.of().authOk().ready('I'));
        send(PgMessages.of().query("SELECT 1"));
        receive(PgMessages.of().rowDescription("?column?").dataRow("1").commandComplete("SELECT 1").ready('I'));

        assertThat(sink.only().toString()).doesNotContain("hunter2");
        assertThat(sink.only().attributes().getString("db.query.text")).isEqualTo("SELECT ?");
    }

    @Test
    void statementPreparedBeforeCaptureIsRecordedByNameWithWhatDescribeTells() {
        login();
        send(PgMessages.of().bind("", "S_7", "42").describePortal("").execute("", 0).sync());
        receive(PgMessages.of().bindComplete().rowDescription("id", "name", "total").dataRow("42", "x", "1")
                .commandComplete("SELECT 1").ready('I'));

        Record r = sink.only();
        assertThat(r.isIntact()).isTrue();
        assertThat(r.attributes().asMap()).containsEntry("spanscope.postgresql.statement_name", "S_7")
                .containsEntry("spanscope.postgresql.column_count", 3L)
                .containsEntry("db.operation.name", "SELECT")
                .containsEntry("db.response.returned_rows", 1L)
                .doesNotContainKey("db.query.text");
    }

    @Test
    void namedStatementIsFoundByLaterExecutions() {
        login();
        send(PgMessages.of().parse("S_1", "UPDATE stock SET qty = qty - $1 WHERE sku = $2").sync());
        receive(PgMessages.of().parseComplete().ready('I'));
        for (int i = 0; i < 3; i++) {
            send(PgMessages.of().bind("", "S_1", "1", "sku-" + i).execute("", 0).sync());
            receive(PgMessages.of().bindComplete().commandComplete("UPDATE 1").ready('I'));
        }
        assertThat(records()).hasSize(3).allSatisfy(r -> {
            assertThat(r.isIntact()).isTrue();
            assertThat(r.attributes().asMap())
                    .containsEntry("db.query.text", "UPDATE stock SET qty = qty - $1 WHERE sku = $2")
                    .containsEntry("spanscope.postgresql.statement_name", "S_1")
                    .containsEntry("spanscope.postgresql.affected_rows", 1L)
                    .containsEntry("spanscope.postgresql.parameter_count", 2L)
                    .containsEntry("db.collection.name", "stock");
        });
        assertThat(records().get(0).toString()).doesNotContain("sku-0");
    }

    @Test
    void repeatedStatementsWithTheSameOutcomeShareTheirAttributes() {
        login();
        for (String rows : new String[] {"UPDATE 1", "UPDATE 1", "UPDATE 3"}) {
            send(PgMessages.of().parse("", "UPDATE t SET x = x + 1 WHERE k = $1").bind("", "", "7").execute("", 0).sync());
            receive(PgMessages.of().parseComplete().bindComplete().commandComplete(rows).ready('I'));
        }
        assertThat(records()).hasSize(3);
        assertThat(records().get(1).attributes()).isSameAs(records().get(0).attributes());
        assertThat(records().get(2).attributes()).isNotSameAs(records().get(1).attributes());
        assertThat(records().get(2).attributes().getLong("spanscope.postgresql.affected_rows")).isEqualTo(3);
        assertThat(records().get(1).requestSequence()).isNotEqualTo(records().get(0).requestSequence());
    }

    @Test
    void errorInAPipelinedBatchSkipsTheRestUntilSync() {
        login();
        long first = c.sequence(Direction.EGRESS);
        PgMessages batch = PgMessages.of();
        for (int i = 0; i < 3; i++) {
            batch.parse("", "INSERT INTO t VALUES ($1)").bind("", "", String.valueOf(i)).execute("", 0);
        }
        send(batch.sync());
        receive(PgMessages.of().parseComplete().bindComplete().commandComplete("INSERT 0 1")
                .parseComplete().bindComplete().error("23505", "duplicate key value").ready('I'));
        send(PgMessages.of().query("SELECT 1"));
        receive(PgMessages.of().rowDescription("x").dataRow("1").commandComplete("SELECT 1").ready('I'));

        assertThat(records()).hasSize(3);
        assertThat(records().get(0).requestSequence()).isEqualTo(first);
        assertThat(records().get(0).attributes().getLong("spanscope.postgresql.affected_rows")).isEqualTo(1);
        Record failed = records().get(1);
        assertThat(failed.requestSequence()).isGreaterThan(first);
        assertThat(failed.attributes().asMap()).containsEntry("error.type", "23505")
                .containsEntry("db.response.status_code", "23505")
                .containsEntry("spanscope.postgresql.error_severity", "ERROR")
                .doesNotContainKey("spanscope.postgresql.error_message");
        assertThat(failed.toString()).doesNotContain("secret detail");
        assertThat(records().get(2).attributes().getString("db.query.text")).isEqualTo("SELECT ?");
        assertThat(tracker.stats().parseErrors()).isZero();
    }

    @Test
    void reusedExchangesCarryNothingOverAcrossManyQueriesBatchesAndErrors() {
        // simple queries leave their Query exchange to be reclaimed, batches hold several exchanges at
        // once, errors drop the rest of a batch: every record must still have exactly its own outcome
        login();
        int expected = 0;
        for (int i = 0; i < 300; i++) {
            PgMessages rows = PgMessages.of().rowDescription("n");
            for (int r = 0; r < i % 4; r++) {
                rows.dataRow(String.valueOf(r));
            }
            send(PgMessages.of().query("SELECT n FROM t" + (i % 3)));
            receive(rows.commandComplete("SELECT " + (i % 4)).ready('I'));
            expected++;
            if (i % 5 == 0) {
                send(PgMessages.of().parse("", "UPDATE u SET v = $1").bind("", "", "x").execute("", 0)
                        .parse("", "DELETE FROM d").bind("", "").execute("", 0).sync());
                receive(PgMessages.of().parseComplete().bindComplete().commandComplete("UPDATE " + i)
                        .parseComplete().bindComplete()
                        .raw((i % 10 == 0 ? PgMessages.of().error("40001", "serialization failure")
                                : PgMessages.of().commandComplete("DELETE 2")).bytes())
                        .ready('I'));
                expected += 2;
            }
        }

        assertThat(records()).hasSize(expected);
        int at = 0;
        for (int i = 0; i < 300; i++) {
            Record select = records().get(at++);
            assertThat(select.isIntact()).isTrue();
            assertThat(select.attributes().getString("db.query.text")).isEqualTo("SELECT n FROM t" + (i % 3));
            assertThat(select.attributes().getLong("db.response.returned_rows")).isEqualTo(i % 4);
            assertThat(select.attributes().asMap()).doesNotContainKey("error.type");
            if (i % 5 == 0) {
                Record update = records().get(at++);
                assertThat(update.attributes().getString("db.query.text")).isEqualTo("UPDATE u SET v = $1");
                assertThat(update.attributes().getLong("spanscope.postgresql.affected_rows")).isEqualTo(i);
                assertThat(update.attributes().getLong("spanscope.postgresql.parameter_count")).isEqualTo(1);
                Record delete = records().get(at++);
                assertThat(delete.attributes().getString("db.query.text")).isEqualTo("DELETE FROM d");
                assertThat(delete.attributes().asMap()).doesNotContainKey("spanscope.postgresql.parameter_count");
                if (i % 10 == 0) {
                    assertThat(delete.attributes().getString("error.type")).isEqualTo("40001");
                    assertThat(delete.attributes().asMap()).doesNotContainKey("spanscope.postgresql.affected_rows");
                } else {
                    assertThat(delete.attributes().getLong("spanscope.postgresql.affected_rows")).isEqualTo(2);
                    assertThat(delete.attributes().asMap()).doesNotContainKey("error.type");
                }
            }
        }
        assertThat(tracker.stats().parseErrors()).isZero();
    }

    @Test
    void multiStatementQueryGivesOneRecordPerStatementUntilTheError() {
        login();
        send(PgMessages.of().query("UPDATE a SET x = 1; SELEC 2; SELECT 3"));
        long firstResponse = c.sequence(Direction.INGRESS);
        receive(PgMessages.of().commandComplete("UPDATE 4").error("42601", "syntax error").ready('I'));

        assertThat(records()).hasSize(2);
        assertThat(records().get(0).attributes().getString("db.query.text")).isEqualTo("UPDATE a SET x = ?");
        assertThat(records().get(0).responseSequence()).isEqualTo(firstResponse);
        assertThat(records().get(1).attributes().getString("db.query.text")).isEqualTo("SELEC ?");
        assertThat(records().get(1).attributes().getString("error.type")).isEqualTo("42601");
        assertThat(records().get(1).requestSequence()).isEqualTo(records().get(0).requestSequence());
        assertThat(records().get(1).responseSequence()).isGreaterThan(firstResponse);
    }

    @Test
    void portalSuspendedAndEmptyQueryAreStatementsToo() {
        login();
        send(PgMessages.of().parse("", "SELECT n FROM big").bind("c1", "").execute("c1", 2).sync());
        receive(PgMessages.of().parseComplete().bindComplete().dataRow("1").dataRow("2").portalSuspended().ready('T'));
        send(PgMessages.of().execute("c1", 2).sync());
        receive(PgMessages.of().dataRow("3").commandComplete("SELECT 1").ready('T'));
        send(PgMessages.of().query(""));
        receive(PgMessages.of().emptyQuery().ready('T'));

        assertThat(records()).hasSize(3);
        assertThat(records().get(0).attributes().asMap()).containsEntry("spanscope.postgresql.portal_suspended", true)
                .containsEntry("db.response.returned_rows", 2L).containsEntry("db.query.text", "SELECT n FROM big");
        assertThat(records().get(1).attributes().asMap()).containsEntry("db.query.text", "SELECT n FROM big")
                .containsEntry("db.response.returned_rows", 1L);
        assertThat(records().get(2).attributes().getString("db.query.text")).isEmpty();
        assertThat(records()).allSatisfy(r -> assertThat(r.isIntact()).isTrue());
    }

    @Test
    void noticesBelongToTheStatementThatRaisedThem() {
        login();
        send(PgMessages.of().query("DROP TABLE IF EXISTS gone"));
        receive(PgMessages.of().notice("table \"gone\" does not exist, skipping").commandComplete("DROP TABLE").ready('I'));
        assertThat(sink.only().attributes().getLong("spanscope.postgresql.notices")).isEqualTo(1);
        assertThat(sink.only().attributes().getString("db.operation.name")).isEqualTo("DROP TABLE");
    }

    @Test
    void oversizedQueryIsSteppedOverFlaggedAndTheNextOnePairs() {
        tracker = new ConnectionTracker(ParserConfig.builder().maxPostgresMessageBytes(1024).build(), sink);
        login();
        send(PgMessages.of().query("SELECT '" + "x".repeat(5000) + "'"));
        receive(PgMessages.of().rowDescription("a").dataRow("x").commandComplete("SELECT 1").ready('I'));
        send(PgMessages.of().query("SELECT 2"));
        receive(PgMessages.of().rowDescription("a").dataRow("2").commandComplete("SELECT 1").ready('I'));

        assertThat(records()).hasSize(2);
        assertThat(records().get(0).hasFlag(RecordFlag.MALFORMED)).isTrue();
        assertThat(records().get(0).attributes().containsKey("db.query.text")).isFalse();
        assertThat(records().get(1).isIntact()).isTrue();
        assertThat(tracker.stats().drops(DropReason.POSTGRES_MESSAGE_LIMIT)).isEqualTo(1);
        assertThat(tracker.stats().memory().peak()).isLessThan(2048);
    }

    @Test
    void lostResponseBytesFlagTheExchangeAndPairingResumesAtReadyForQuery() {
        login();
        send(PgMessages.of().query("SELECT a FROM t"));
        receive(PgMessages.of().rowDescription("a"));
        c.lose(Direction.INGRESS, 40);
        receive(PgMessages.of().dataRow("tail").commandComplete("SELECT 5").ready('I'));
        send(PgMessages.of().query("SELECT b FROM t"));
        receive(PgMessages.of().rowDescription("b").dataRow("1").commandComplete("SELECT 1").ready('I'));

        assertThat(records()).hasSize(2);
        assertThat(records().get(0).hasFlag(RecordFlag.GAP_IN_RESPONSE)).isTrue();
        assertThat(records().get(1).isIntact()).isTrue();
        assertThat(records().get(1).attributes().getString("db.query.text")).isEqualTo("SELECT b FROM t");
        assertThat(records().get(1).attributes().getLong("db.response.returned_rows")).isEqualTo(1);
    }

    @Test
    void bytesLostInsideARowAreSkippedByLengthAndTheStatementStillCompletes() {
        login();
        send(PgMessages.of().query("SELECT doc FROM docs"));
        receive(PgMessages.of().rowDescription("doc").header('D', 100).raw(new byte[30]));
        c.lose(Direction.INGRESS, 70);
        receive(PgMessages.of().dataRow("small").commandComplete("SELECT 2").ready('I'));
        send(PgMessages.of().query("SELECT 1"));
        receive(PgMessages.of().rowDescription("x").dataRow("1").commandComplete("SELECT 1").ready('I'));

        assertThat(records()).hasSize(2);
        Record first = records().get(0);
        assertThat(first.hasFlag(RecordFlag.TRUNCATED_BODY)).isTrue();
        assertThat(first.hasFlag(RecordFlag.GAP_IN_RESPONSE)).isFalse();
        assertThat(first.attributes().getLong("db.response.returned_rows")).isEqualTo(2);
        assertThat(records().get(1).isIntact()).isTrue();
        assertThat(tracker.stats().resyncs()).isZero();
    }

    @Test
    void connectionJoinedMidStreamPairsFromTheFirstWholeRequest() {
        tracker.onOpen(c.open(clock++, true));
        receive(PgMessages.of().raw(new byte[] {'D', 0, 0, 0, 9, 0, 1, 0, 0, 0, 1, 'z'}).commandComplete("SELECT 9").ready('I'));
        send(PgMessages.of().parse("", "SELECT * FROM carts WHERE id = $1").bind("", "", "5").describePortal("")
                .execute("", 0).sync());
        receive(PgMessages.of().parseComplete().bindComplete().rowDescription("id").dataRow("5")
                .commandComplete("SELECT 1").ready('I'));

        Record r = sink.only();
        assertThat(r.hasFlag(RecordFlag.JOINED_MID_STREAM)).isTrue();
        assertThat(r.isIntact()).as("%s", r).isTrue();
        assertThat(r.attributes().getString("db.query.text")).isEqualTo("SELECT * FROM carts WHERE id = $1");
        assertThat(r.attributes().getString("db.collection.name")).isEqualTo("carts");
    }

    @Test
    void requestWithoutAnswerIsEmittedMissingItsResponseWhenTheConnectionEnds() {
        login();
        send(PgMessages.of().query("SELECT pg_sleep(100)"));
        tracker.onClose(c.close(clock++));
        assertThat(sink.only().flags()).containsExactly(RecordFlag.RESPONSE_MISSING);
    }

    @Test
    void responseCutByTheConnectionEndIsIncompleteNotMissing() {
        login();
        send(PgMessages.of().query("SELECT * FROM huge"));
        receive(PgMessages.of().rowDescription("a").dataRow("1").dataRow("2"));
        tracker.onClose(c.close(clock++));
        Record r = sink.only();
        assertThat(r.flags()).containsExactly(RecordFlag.RESPONSE_INCOMPLETE);
        assertThat(r.attributes().getLong("db.response.returned_rows")).isEqualTo(2);
        assertThat(r.responseSequence()).isNotNegative();
    }
}
