package dev.edgeruntime.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.util.Assert;

/**
 * What a database user lacks, read after the database refused one of its statements for want of a privilege:
 * the user, and the {@code GRANT} statements for those privileges the statement needs that the user does not
 * hold. The queue's template, the schema's installer and the cron set-up name them in the
 * {@link InsufficientPrivilegeException} {@link #refused} makes.
 *
 * @author edge-runtime developers
 */
public final class DatabasePrivileges {

	/** Where the user cannot be read, the statements name it so. */
	static final String UNKNOWN_USER = "<database user>";

	private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");

	private DatabasePrivileges() {
	}

	/**
	 * The database user statements run as.
	 * @param jdbc the connection's template
	 * @return the user, or {@code null} where it cannot be read (in a transaction that a refused statement
	 * aborted)
	 */
	public static @Nullable String currentUser(JdbcOperations jdbc) {
		try {
			return jdbc.queryForObject("SELECT current_user", String.class);
		}
		catch (DataAccessException ex) {
			return null;
		}
	}

	/**
	 * The failure of a statement the database refused for want of a privilege: reads the user the statement ran
	 * as, and gives, after {@code statements}, the {@code GRANT} statements for the privileges among
	 * {@code needed} that the user lacks.
	 * @param jdbc the connection's template, to read the user and its privileges with
	 * @param operation what was refused, such as {@code Creating queue 'orders'}
	 * @param ex the refused statement's failure, whose server message says what was refused
	 * @param reason why, in a sentence
	 * @param statements what the objects' owner runs before the grants, possibly none
	 * @param needed the privileges the refused statement needs, possibly none
	 * @param alternative what to do instead, or {@code null} for nothing
	 * @param docs where the documentation says more
	 * @return the failure to throw
	 * @see InsufficientPrivilegeException
	 */
	public static InsufficientPrivilegeException refused(JdbcOperations jdbc, String operation, Throwable ex,
			String reason, List<String> statements, List<Privilege> needed, @Nullable String alternative,
			String docs) {
		String user = currentUser(jdbc);
		List<String> all = new ArrayList<>(statements);
		if (!needed.isEmpty()) {
			all.addAll(missingGrants(jdbc, user, needed));
		}
		return new InsufficientPrivilegeException(operation, DatabaseFailures.serverMessage(ex), user, reason, all,
				alternative, docs, ex);
	}

	/**
	 * The {@code GRANT} statements for the privileges among {@code needed} that the user lacks (on an object
	 * that does not exist, too); all of them where none is found lacking (the refused statement needed something
	 * else) or they cannot be checked (in a transaction that the refused statement aborted).
	 * @param jdbc the connection's template
	 * @param user the database user, or {@code null} where it is not known
	 * @param needed what the refused statement needs
	 * @return the statements, each as {@code GRANT SELECT ON pgmq.meta TO app}
	 */
	public static List<String> missingGrants(JdbcOperations jdbc, @Nullable String user, List<Privilege> needed) {
		List<Privilege> missing = (user != null) ? missing(jdbc, needed) : needed;
		String grantee = grantee(user);
		return (missing.isEmpty() ? needed : missing).stream().map((privilege) -> privilege.grant(grantee)).toList();
	}

	/**
	 * Whether the user statements run as lacks one of the privileges {@code needed}: where it holds them all, a
	 * refused statement needed something else, and granting them again would change nothing.
	 * @param jdbc the connection's template
	 * @param needed what the refused statement needs
	 * @return {@code true} where one is lacking or they cannot be checked (in a transaction that the refused
	 * statement aborted)
	 */
	public static boolean lacksAny(JdbcOperations jdbc, List<Privilege> needed) {
		return !needed.isEmpty() && !missing(jdbc, needed).isEmpty();
	}

	private static List<Privilege> missing(JdbcOperations jdbc, List<Privilege> needed) {
		StringBuilder sql = new StringBuilder("SELECT true");
		List<Object> arguments = new ArrayList<>();
		for (Privilege privilege : needed) {
			for (String name : privilege.privileges()) {
				// by oid from the catalog: a name looked up needs USAGE on its schema, which may be what is missing
				if (privilege.kind() == Kind.SCHEMA) {
					sql.append(", coalesce((SELECT has_schema_privilege(n.oid, ?) FROM pg_namespace n ")
						.append("WHERE n.nspname = ?), false)");
					arguments.add(name);
					arguments.add(privilege.object());
				}
				else if (privilege.kind() == Kind.FUNCTION) {
					// every function of the name (a GRANT without arguments names the one there is)
					int dot = privilege.object().indexOf('.');
					sql.append(", coalesce((SELECT bool_and(has_function_privilege(p.oid, ?)) FROM pg_proc p ")
						.append("JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ? AND p.proname = ?), ")
						.append("false)");
					arguments.add(name);
					arguments.add(privilege.object().substring(0, dot));
					arguments.add(privilege.object().substring(dot + 1));
				}
				else {
					int dot = privilege.object().indexOf('.');
					sql.append(", coalesce((SELECT ").append(privilege.kind().function).append("(c.oid, ?) ")
						.append("FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace ")
						.append("WHERE n.nspname = ? AND c.relname = ?), false)");
					arguments.add(name);
					arguments.add(privilege.object().substring(0, dot));
					arguments.add(privilege.object().substring(dot + 1));
				}
			}
		}
		try {
			return jdbc.queryForObject(sql.toString(), (rs, row) -> {
				List<Privilege> lacking = new ArrayList<>();
				int column = 2;
				for (Privilege privilege : needed) {
					List<String> names = new ArrayList<>();
					for (String name : privilege.privileges()) {
						if (!rs.getBoolean(column++)) {
							names.add(name);
						}
					}
					if (!names.isEmpty()) {
						lacking.add(new Privilege(privilege.kind(), privilege.object(), names));
					}
				}
				return lacking;
			}, arguments.toArray());
		}
		catch (DataAccessException ex) {
			return needed;
		}
	}

	/**
	 * The user as a {@code GRANT} names it: as it is where PostgreSQL would not fold or refuse the name, quoted
	 * otherwise.
	 * @param user the database user, or {@code null} where it is not known
	 * @return the name, or {@code <database user>} for one not known
	 */
	public static String grantee(@Nullable String user) {
		if (user == null) {
			return UNKNOWN_USER;
		}
		return PLAIN_IDENTIFIER.matcher(user).matches() ? user : '"' + user.replace("\"", "\"\"") + '"';
	}

	/**
	 * The kinds of object a privilege is on.
	 */
	public enum Kind {

		/** A schema, such as {@code pgmq}. */
		SCHEMA("has_schema_privilege", "SCHEMA "),

		/** A table, such as {@code pgmq.meta}. */
		TABLE("has_table_privilege", ""),

		/** A sequence, such as {@code pgmq.q_orders_msg_id_seq}. */
		SEQUENCE("has_sequence_privilege", "SEQUENCE "),

		/** A function named without its arguments, such as {@code cron.schedule_in_database}. */
		FUNCTION("has_function_privilege", "FUNCTION ");

		private final String function;

		private final String keyword;

		Kind(String function, String keyword) {
			this.function = function;
			this.keyword = keyword;
		}

	}

	/**
	 * Privileges on one object, as a {@code GRANT} names them.
	 *
	 * @param kind the kind of object
	 * @param object the object's qualified name, such as {@code pgmq.meta}
	 * @param privileges the privileges, such as {@code SELECT} and {@code INSERT}
	 */
	public record Privilege(Kind kind, String object, List<String> privileges) {

		/**
		 * Creates a new instance.
		 * @param kind the kind of object
		 * @param object the object's name, qualified with its schema but for a schema
		 * @param privileges the privileges
		 */
		public Privilege {
			Assert.isTrue(kind == Kind.SCHEMA || object.indexOf('.') > 0, "object must be qualified with its schema");
			privileges = List.copyOf(privileges);
		}

		/**
		 * Privileges on a schema.
		 * @param schema the schema
		 * @param privileges the privileges
		 * @return the privileges
		 */
		public static Privilege onSchema(String schema, String... privileges) {
			return new Privilege(Kind.SCHEMA, schema, List.of(privileges));
		}

		/**
		 * Privileges on a table.
		 * @param table the table's qualified name
		 * @param privileges the privileges
		 * @return the privileges
		 */
		public static Privilege onTable(String table, String... privileges) {
			return new Privilege(Kind.TABLE, table, List.of(privileges));
		}

		/**
		 * Privileges on a function, every one of its name.
		 * @param function the function's qualified name, without its arguments
		 * @param privileges the privileges
		 * @return the privileges
		 */
		public static Privilege onFunction(String function, String... privileges) {
			return new Privilege(Kind.FUNCTION, function, List.of(privileges));
		}

		/**
		 * Privileges on a sequence.
		 * @param sequence the sequence's qualified name
		 * @param privileges the privileges
		 * @return the privileges
		 */
		public static Privilege onSequence(String sequence, String... privileges) {
			return new Privilege(Kind.SEQUENCE, sequence, List.of(privileges));
		}

		String grant(String grantee) {
			return "GRANT " + String.join(", ", this.privileges) + " ON " + this.kind.keyword + this.object + " TO "
					+ grantee;
		}

	}

}
