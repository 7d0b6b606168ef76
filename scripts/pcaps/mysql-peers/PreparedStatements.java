import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * MariaDB Connector/J with server-side prepared statements against the capture server: prints one
 * line per statement it ran ("ok rows N" / "ok affected N" / "err CODE") for the expected sidecar.
 * Usage: java -cp mariadb-java-client.jar PreparedStatements.java PORT
 */
public class PreparedStatements {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:mariadb://127.0.0.1:" + args[0] + "/shop?user=app&password=secret-pw&useServerPrepStmts=true";
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO items (name, price) VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    insert.setString(1, "jdbc-item-" + i);
                    insert.setInt(2, 100 + i);
                    System.out.println("execute\tINSERT\tok affected " + insert.executeUpdate());
                }
            }
            try (PreparedStatement select = c.prepareStatement("SELECT id, name, price FROM items WHERE price > ?")) {
                select.setInt(1, 101);
                int rows = 0;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                    }
                }
                System.out.println("execute\tSELECT\tok rows " + rows);
            }
            try (PreparedStatement bad = c.prepareStatement("SELECT nope FROM items WHERE id = ?")) {
                bad.setInt(1, 1);
                bad.executeQuery().close();
                System.out.println("prepare\tSELECT\tunexpected success");
            } catch (SQLException e) {
                System.out.println("prepare\tSELECT\terr " + e.getErrorCode());
            }
        }
    }
}
