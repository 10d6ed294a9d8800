package dev.edgeruntime.queue;

/**
 * How the {@code pgmq} schema gets into the database ({@code edge-runtime.queue.schema}).
 *
 * @author edge-runtime developers
 */
public enum PgmqSchemaMode {

	/**
	 * Use pgmq when it is installed, else keep the bundled compatible schema when the database has it, else
	 * create the {@code pgmq} extension when the database server has it (Supabase, self-hosted with pgmq), else
	 * install the bundled compatible schema.
	 */
	AUTO,

	/**
	 * Create the {@code pgmq} extension; start-up fails when the database server does not have it, or when the
	 * database holds the bundled schema.
	 */
	EXTENSION,

	/**
	 * Install the bundled pgmq-compatible schema (unless pgmq is installed already).
	 */
	BUNDLED,

	/**
	 * Install nothing: the schema is managed elsewhere (migrations, a DBA). Start-up checks the version of
	 * what was installed where the database user may read it, and fails on a bundled schema older than the
	 * one of this edge-runtime.
	 */
	NONE

}
