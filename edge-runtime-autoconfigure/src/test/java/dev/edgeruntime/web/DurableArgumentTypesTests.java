package dev.edgeruntime.web;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.List;

import dev.edgeruntime.BackgroundTask;
import org.junit.jupiter.api.Test;

import org.springframework.util.ReflectionUtils;
import org.springframework.web.multipart.MultipartFile;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The start-up check of a durable method's parameters looks into what they hold (array elements, generic
 * arguments) and at type variables as the bean's class binds them.
 *
 * @author edge-runtime developers
 */
class DurableArgumentTypesTests {

	interface Shape {
	}

	static class Tasks {

		@BackgroundTask(durable = true)
		public void streams(List<InputStream> streams) {
		}

		@BackgroundTask(durable = true)
		public void uploads(MultipartFile[] files) {
		}

		@BackgroundTask(durable = true)
		public void shapes(List<Shape> shapes) {
		}

	}

	abstract static class Generic<T> {

		@BackgroundTask(durable = true)
		public void handle(T item) {
		}

	}

	static class ShapeJobs extends Generic<Shape> {

	}

	@Test
	void listOfStreamsShouldBeRefused() {
		assertRefused(method(Tasks.class, "streams", List.class), Tasks.class);
	}

	@Test
	void arrayOfUploadsShouldBeRefused() {
		assertRefused(method(Tasks.class, "uploads", MultipartFile[].class), Tasks.class);
	}

	@Test
	void listOfAnAbstractTypeWithoutTypeInfoShouldBeRefused() {
		assertRefused(method(Tasks.class, "shapes", List.class), Tasks.class);
	}

	@Test
	void typeVariableBoundToAnAbstractTypeShouldBeRefused() {
		assertRefused(method(ShapeJobs.class, "handle", Object.class), ShapeJobs.class);
	}

	private static Method method(Class<?> type, String name, Class<?>... parameters) {
		return ReflectionUtils.findMethod(type, name, parameters);
	}

	@Test
	void listOfConcreteTypesShouldBeAccepted() {
		BackgroundTaskDefinition.of(method(Fine.class, "names", List.class, java.util.Map.class), Fine.class);
	}

	static class Fine {

		@BackgroundTask(durable = true)
		public void names(List<String> names, java.util.Map<String, List<Integer>> counts) {
		}

	}

	private static void assertRefused(Method method, Class<?> targetClass) {
		assertThatIllegalStateException().isThrownBy(() -> BackgroundTaskDefinition.of(method, targetClass))
			.withMessageContaining("is misused: parameter 0");
	}

}
