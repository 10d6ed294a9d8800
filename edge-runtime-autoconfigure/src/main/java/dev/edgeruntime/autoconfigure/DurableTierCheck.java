package dev.edgeruntime.autoconfigure;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import javax.sql.DataSource;

import dev.edgeruntime.cron.CronJob;
import dev.edgeruntime.queue.QueueListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Fails start-up when beans have {@link QueueListener @QueueListener} or {@link CronJob @CronJob} methods
 * and the durable tier that runs them is not configured: without it nothing finds those methods, and the
 * application would start and never consume the queue or fire the job. The failure names what the
 * application lacks (Spring JDBC, the PostgreSQL driver, Jackson, a DataSource). With
 * {@code edge-runtime.queue.enabled=false}, or the tier's auto-configuration excluded, the methods are left
 * alone, as asked, and logged once; so they are, with a warning, when the application has a
 * {@code PgmqTemplate} bean of its own (a test's mock).
 *
 * @author edge-runtime developers
 */
final class DurableTierCheck
		implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, BeanClassLoaderAware,
		EnvironmentAware {

	private static final Log logger = LogFactory.getLog(DurableTierCheck.class);

	/** The post-processors that find the methods when the tier is configured; their names, not classes. */
	static final String LISTENER_PROCESSOR = "dev.edgeruntime.queue.QueueListenerAnnotationBeanPostProcessor";

	static final String CRON_PROCESSOR = "dev.edgeruntime.cron.CronJobAnnotationBeanPostProcessor";

	private static final String PGMQ_TEMPLATE = "dev.edgeruntime.queue.PgmqTemplate";

	/** The tier's auto-configurations, by name: loading their classes needs Spring JDBC. */
	private static final String QUEUE_AUTO_CONFIGURATION = "dev.edgeruntime.autoconfigure.EdgeRuntimeQueueAutoConfiguration";

	private static final String CRON_AUTO_CONFIGURATION = "dev.edgeruntime.autoconfigure.EdgeRuntimeCronAutoConfiguration";

	private static final String DATA_SOURCE_AUTO_CONFIGURATION = "org.springframework.boot.jdbc.autoconfigure."
			+ "DataSourceAutoConfiguration";

	private final Set<String> unrun = new CopyOnWriteArraySet<>();

	private @Nullable ConfigurableListableBeanFactory beanFactory;

	private @Nullable ClassLoader classLoader;

	private @Nullable Environment environment;

	/** Which annotations nothing else reads, found at the first bean; null until then. */
	private volatile @Nullable Set<Class<? extends Annotation>> unread;

	private volatile boolean checked;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public void setBeanClassLoader(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (this.checked) {
			return bean; // a bean made after start-up (a lazy one) is not looked at
		}
		Set<Class<? extends Annotation>> annotations = unread();
		if (annotations.isEmpty()) {
			return bean;
		}
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (!AnnotationUtils.isCandidateClass(targetClass, annotations)) {
			return bean;
		}
		MethodIntrospector.selectMethods(targetClass, (MethodIntrospector.MetadataLookup<Object>) (method) -> {
			for (Class<? extends Annotation> annotation : annotations) {
				if (AnnotatedElementUtils.hasAnnotation(method, annotation)) {
					this.unrun.add(describe(annotation, method, beanName));
				}
			}
			return null;
		});
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.checked = true;
		if (this.unrun.isEmpty()) {
			return;
		}
		List<String> methods = List.copyOf(this.unrun);
		if (queueDisabled()) {
			logger.info("edge-runtime.queue.enabled is false: " + String.join(", ", methods) + " will not run");
			return;
		}
		if (excluded(QUEUE_AUTO_CONFIGURATION)) {
			// excluded by name (spring.autoconfigure.exclude, a test's exclude): switched off as explicitly
			logger.info(QUEUE_AUTO_CONFIGURATION + " is excluded: " + String.join(", ", methods) + " will not run");
			return;
		}
		List<String> templates = templates();
		if (!templates.isEmpty()) {
			// A PgmqTemplate of the application's own without the tier: most often a test's mock (@MockitoBean) in
			// a test without a database, which starts the application to try something else
			logger.warn("The application has a PgmqTemplate bean " + templates + " of its own, but not the durable "
					+ "tier: " + String.join(", ", methods) + " will not run");
			return;
		}
		throw new DurableTierUnavailableException(methods, missing());
	}

	/** The names of the application's PgmqTemplate beans; read by name, as Spring JDBC may be absent. */
	private List<String> templates() {
		ConfigurableListableBeanFactory factory = this.beanFactory;
		if (factory == null || !ClassUtils.isPresent(PGMQ_TEMPLATE, this.classLoader)) {
			return List.of();
		}
		Class<?> type = ClassUtils.resolveClassName(PGMQ_TEMPLATE, this.classLoader);
		return List.of(factory.getBeanNamesForType(type, true, false));
	}

	/**
	 * The annotations whose post-processor is absent, decided once every post-processor is registered (before
	 * the first ordinary bean is made): when the tier is there, nothing is looked for.
	 */
	private Set<Class<? extends Annotation>> unread() {
		Set<Class<? extends Annotation>> annotations = this.unread;
		if (annotations == null) {
			Set<Class<? extends Annotation>> found = new LinkedHashSet<>();
			if (!hasProcessor(LISTENER_PROCESSOR)) {
				found.add(QueueListener.class);
			}
			// edge-runtime.cron.enabled=false, or the exclusion of their auto-configuration, switches recurring
			// jobs off on purpose
			if (!hasProcessor(CRON_PROCESSOR) && !cronDisabled() && !excluded(CRON_AUTO_CONFIGURATION)) {
				found.add(CronJob.class);
			}
			annotations = Set.copyOf(found);
			this.unread = annotations;
		}
		return annotations;
	}

	private boolean hasProcessor(String className) {
		return (this.beanFactory == null) || hasProcessor(this.beanFactory, className);
	}

	private static boolean hasProcessor(ConfigurableListableBeanFactory factory, String className) {
		for (String name : factory.getBeanNamesForType(BeanPostProcessor.class, true, false)) {
			Class<?> type = factory.getType(name, false);
			if (type != null && ClassUtils.getUserClass(type).getName().equals(className)) {
				return true;
			}
		}
		return false;
	}

	/** Whether an ancestor context has the post-processor of queue listeners: the tier is configured there. */
	private boolean inParentContext() {
		BeanFactory parent = (this.beanFactory != null) ? this.beanFactory.getParentBeanFactory() : null;
		while (parent != null) {
			if (parent instanceof ConfigurableApplicationContext context) {
				parent = context.getBeanFactory();
			}
			if (!(parent instanceof ConfigurableListableBeanFactory listable)) {
				return false;
			}
			if (hasProcessor(listable, LISTENER_PROCESSOR)) {
				return true;
			}
			parent = listable.getParentBeanFactory();
		}
		return false;
	}

	/** What the application lacks, as the durable tier's auto-configuration asks for it, with what to add. */
	private List<String> missing() {
		if (inParentContext()) {
			// the tier is there, but a context's post-processors do not see the beans of its child contexts
			return List.of("the durable tier is configured in a parent application context, whose "
					+ "@QueueListener and @CronJob post-processors do not see the beans of this child context: "
					+ "declare these beans in the parent context");
		}
		List<String> missing = missing(this.beanFactory, this.classLoader, null);
		if (missing.isEmpty()) {
			missing.add("EdgeRuntimeQueueAutoConfiguration did not apply (excluded, or a condition did not match): "
					+ "start with --debug to see its conditions in the condition evaluation report");
		}
		return missing;
	}

	/**
	 * What an application lacks for the durable tier, each with what to add; empty when it lacks nothing the
	 * tier's conditions name.
	 * @param beanFactory the application's bean factory, to count its DataSources
	 * @param classLoader the application's class loader
	 * @param environment the application's environment, to read whether the durable tier, and its durable
	 * {@code @BackgroundTask} methods, were switched off; {@code null} to leave the properties out
	 * @return what the application lacks
	 */
	static List<String> missing(@Nullable ConfigurableListableBeanFactory beanFactory,
			@Nullable ClassLoader classLoader, @Nullable Environment environment) {
		List<String> missing = new ArrayList<>();
		if (environment != null) {
			for (String property : List.of("edge-runtime.queue.enabled", "edge-runtime.queue.tasks.enabled")) {
				if (!flag(environment, property)) {
					missing.add(property + " is false: remove it, or set it to true");
				}
			}
		}
		if (!ClassUtils.isPresent("org.springframework.jdbc.core.JdbcTemplate", classLoader)) {
			missing.add("Spring JDBC is not on the class path: add org.springframework.boot:spring-boot-starter-jdbc");
		}
		if (!ClassUtils.isPresent("org.postgresql.PGConnection", classLoader)) {
			missing.add("the PostgreSQL JDBC driver is not on the class path: add org.postgresql:postgresql");
		}
		if (!ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", classLoader)) {
			missing.add("Jackson is not on the class path: add org.springframework.boot:spring-boot-starter-jackson");
		}
		String[] dataSources = (beanFactory != null) ? beanFactory.getBeanNamesForType(DataSource.class, true, false)
				: new String[0];
		if (dataSources.length == 0 && environment != null && environment.containsProperty("spring.datasource.url")) {
			missing.add("the application has no DataSource, although spring.datasource.url is set: Spring Boot's "
					+ "DataSourceAutoConfiguration did not apply (excluded, or left out of a test slice such as "
					+ "@WebMvcTest, which makes no DataSource: test durable methods in a @SpringBootTest)");
		}
		else if (dataSources.length == 0 && ClassUtils.isPresent(DATA_SOURCE_AUTO_CONFIGURATION, classLoader)
				&& AutoConfigurationCandidates.leftOut(beanFactory, DATA_SOURCE_AUTO_CONFIGURATION)) {
			// setting the URL would not help: the slice makes no DataSource whatever the properties say
			missing.add("the application has no DataSource: this context's auto-configurations leave out Spring "
					+ "Boot's DataSourceAutoConfiguration, as a test slice such as @WebMvcTest does, which makes no "
					+ "DataSource: test durable methods in a @SpringBootTest");
		}
		else if (dataSources.length == 0) {
			missing.add("the application has no DataSource: set spring.datasource.url (with spring.datasource.username "
					+ "and spring.datasource.password) to the PostgreSQL database");
		}
		else if (dataSources.length > 1) {
			missing.add("the application has " + dataSources.length + " DataSources " + List.of(dataSources)
					+ " and the durable tier uses a single one: mark the one of the queues @Primary");
		}
		return missing;
	}

	/** Whether the application excluded the auto-configuration, as the condition evaluation report says. */
	private boolean excluded(String autoConfiguration) {
		ConfigurableListableBeanFactory factory = this.beanFactory;
		ConditionEvaluationReport report = (factory != null) ? ConditionEvaluationReport.find(factory) : null;
		return report != null && report.getExclusions().contains(autoConfiguration);
	}

	private boolean queueDisabled() {
		return !flag("edge-runtime.queue.enabled");
	}

	private boolean cronDisabled() {
		return !flag("edge-runtime.cron.enabled");
	}

	private boolean flag(String name) {
		return (this.environment == null) || flag(this.environment, name);
	}

	private static boolean flag(Environment environment, String name) {
		return Binder.get(environment).bind(name, Boolean.class).orElse(true);
	}

	private static String describe(Class<? extends Annotation> annotation, Method method,
			String beanName) {
		return "@" + annotation.getSimpleName() + " " + method.getDeclaringClass().getName() + "." + method.getName()
				+ " (bean '" + beanName + "')";
	}

}
