package dev.edgeruntime.autoconfigure;

import java.nio.file.Path;

import dev.edgeruntime.runtime.TaskStorageArea;

import org.springframework.util.unit.DataSize;

/**
 * Another process with task storage under a shared root, for {@link TaskStorageTests}: it opens an area under
 * the root given as its argument, prints the area's directory, and holds it until its standard input closes.
 */
public final class TaskStorageHolderMain {

	private TaskStorageHolderMain() {
	}

	public static void main(String[] args) throws Exception {
		TaskStorageArea area = new TaskStorageArea(Path.of(args[0]), DataSize.ofKilobytes(1));
		area.open();
		System.out.println(area.getInstanceDir());
		System.out.flush();
		while (System.in.read() != -1) {
			// held until the test closes the pipe
		}
		area.close();
	}

}
