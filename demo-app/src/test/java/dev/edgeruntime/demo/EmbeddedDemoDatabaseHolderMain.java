package dev.edgeruntime.demo;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;

/**
 * A demo's embedded database in a process of its own, for {@link EmbeddedDemoDatabaseTests} to kill: it starts
 * the database on the folder given as its argument, writes a row, prints {@code ready} and waits to be killed.
 */
public final class EmbeddedDemoDatabaseHolderMain {

	private EmbeddedDemoDatabaseHolderMain() {
	}

	public static void main(String[] args) throws Exception {
		EmbeddedDemoDatabase database = EmbeddedDemoDatabase.start(Path.of(args[0]));
		try (Connection connection = database.postgres().getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS kept (note text)");
			statement.execute("INSERT INTO kept VALUES ('written before the kill')");
		}
		System.out.println("ready");
		System.out.flush();
		new CountDownLatch(1).await(); // until killed
	}

}
