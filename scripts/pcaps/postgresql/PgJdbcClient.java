import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * pgjdbc against the capture server: plain statements, a prepared statement run past pgjdbc's
 * prepareThreshold (so it becomes a named server-side statement), a batch (pipelined Parse/Bind/Execute
 * before one Sync) and an error. Run with {@code java -cp postgresql.jar PgJdbcClient.java PORT}.
 * Prints what the driver reported, one line per statement execution: status (OK or SQLSTATE), rows
 * (update count or rows read, 0 when none), the statement text as pgjdbc sends it (? becomes $n).
 */
public class PgJdbcClient {

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "spanscope");
        props.setProperty("password", "s3cret-pw");
        props.setProperty("ApplicationName", "pgjdbc-capture");
        props.setProperty("sslmode", "prefer");
        props.setProperty("prepareThreshold", "3");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + args[0] + "/shop", props)) {
            try (Statement s = c.createStatement()) {
                report("OK", s.executeUpdate("CREATE TABLE orders (id int PRIMARY KEY, item text, qty int)"),
                        "CREATE TABLE orders (id int PRIMARY KEY, item text, qty int)");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 5; i++) {
                    p.setInt(1, i);
                    p.setString(2, "item-" + i);
                    p.setInt(3, i * 10);
                    report("OK", p.executeUpdate(), "INSERT INTO orders VALUES ($1, $2, $3)");
                }
            }
            try (PreparedStatement p = c.prepareStatement("SELECT id, item FROM orders WHERE qty >= ?")) {
                for (int q : new int[] {10, 30, 50, 60}) {
                    p.setInt(1, q);
                    int rows = 0;
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                        }
                    }
                    report("OK", rows, "SELECT id, item FROM orders WHERE qty >= $1");
                }
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE orders SET qty = qty + ? WHERE id = ?")) {
                for (int i = 1; i <= 4; i++) {
                    p.setInt(1, 1);
                    p.setInt(2, i);
                    p.addBatch();
                }
                for (int n : p.executeBatch()) {
                    report("OK", n, "UPDATE orders SET qty = qty + $1 WHERE id = $2");
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT 1 / 0");
            } catch (SQLException e) {
                report(e.getSQLState(), 0, "SELECT 1 / 0");
            }
            try (Statement s = c.createStatement()) {
                report("OK", s.executeUpdate("DELETE FROM orders WHERE id > 3"), "DELETE FROM orders WHERE id > 3");
            }
        }
    }

    private static void report(String status, int rows, String text) {
        System.out.println(status + "\t" + Math.max(rows, 0) + "\t" + text);
    }
}
