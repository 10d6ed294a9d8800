package dev.edgeruntime.autoconfigure;

import java.time.Duration;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the background-task dashboard page.
 *
 * @author edge-runtime developers
 */
@ConfigurationProperties("edge-runtime.dashboard")
public class EdgeRuntimeDashboardProperties implements InitializingBean {

	/**
	 * Whether the dashboard page is served.
	 */
	private boolean enabled;

	/**
	 * Path of the dashboard page, relative to the servlet context; its event stream, cancel route and
	 * requeue route are below it.
	 */
	private String path = "/background-tasks-dashboard";

	/**
	 * Authority a user needs to cancel tasks and run dead letters again from the dashboard, when Spring
	 * Security is present.
	 */
	private String cancelAuthority = "ROLE_ADMIN";

	/**
	 * Whether the dashboard offers cancelling running tasks, and running dead letters again, at all.
	 */
	private boolean cancelEnabled = true;

	/**
	 * How often a snapshot is pushed to each open page; changes to tasks push one sooner. 100ms to 1h.
	 */
	private Duration refreshInterval = Duration.ofSeconds(1);

	/**
	 * Most pages connected at once; further pages are refused until one closes.
	 */
	private int maxClients = 16;

	/**
	 * Tasks shown on one page of the task list; the page asks for at most this many.
	 */
	private int pageSize = 50;

	@Override
	public void afterPropertiesSet() {
		InvalidPropertiesException.Collector invalid = new InvalidPropertiesException.Collector(
				"edge-runtime.dashboard");
		invalid.checkPlainPath("path", this.path);
		invalid.check(!this.cancelAuthority.isBlank(), "cancel-authority", this.cancelAuthority, "must not be blank");
		// a properties file keeps the spaces after a value, and 'ROLE_ADMIN ' is no user's authority
		invalid.check(this.cancelAuthority.isBlank() || this.cancelAuthority.equals(this.cancelAuthority.strip()),
				"cancel-authority", this.cancelAuthority, "must not start or end with a space: a user's authorities are "
						+ "compared with it exactly, and none would match");
		Duration refresh = this.refreshInterval;
		invalid.check(refresh == null || (refresh.compareTo(Duration.ofMillis(100)) >= 0
				&& refresh.compareTo(Duration.ofHours(1)) <= 0), "refresh-interval", refresh,
				"must be at least 100ms and at most 1h: every open page gets a snapshot this often");
		invalid.check(this.maxClients >= 1, "max-clients", this.maxClients, "must be at least 1");
		invalid.check(this.pageSize >= 1 && this.pageSize <= 1000, "page-size", this.pageSize,
				"must be at least 1 and at most 1000");
		invalid.throwIfAny();
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public String getCancelAuthority() {
		return this.cancelAuthority;
	}

	public void setCancelAuthority(String cancelAuthority) {
		this.cancelAuthority = cancelAuthority;
	}

	public boolean isCancelEnabled() {
		return this.cancelEnabled;
	}

	public void setCancelEnabled(boolean cancelEnabled) {
		this.cancelEnabled = cancelEnabled;
	}

	public Duration getRefreshInterval() {
		return this.refreshInterval;
	}

	public void setRefreshInterval(Duration refreshInterval) {
		this.refreshInterval = refreshInterval;
	}

	public int getMaxClients() {
		return this.maxClients;
	}

	public void setMaxClients(int maxClients) {
		this.maxClients = maxClients;
	}

	public int getPageSize() {
		return this.pageSize;
	}

	public void setPageSize(int pageSize) {
		this.pageSize = pageSize;
	}

}
