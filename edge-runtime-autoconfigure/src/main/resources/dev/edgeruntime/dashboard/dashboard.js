/*
 * The edge-runtime background-task dashboard. Plain JavaScript, no dependencies: it listens to the
 * Server-Sent Events of {base}/events and renders each snapshot (the backgroundtasks endpoint's report,
 * with one page of tasks).
 */
(function () {
	'use strict';

	function meta(name) {
		var element = document.querySelector('meta[name="' + name + '"]');
		return element ? element.getAttribute('content') : '';
	}

	var base = meta('edge-runtime-base');
	var pageSize = parseInt(meta('edge-runtime-page-size'), 10) || 50;
	var csrfHeader = meta('edge-runtime-csrf-header');
	var csrfToken = meta('edge-runtime-csrf-token');
	// drawn by the server for this user; the requeue route refuses the others all the same
	var canRequeue = meta('edge-runtime-can-requeue') === 'true';

	var OUTCOMES = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'BUDGET_EXCEEDED', 'DROPPED'];
	var REASONS = ['wall_clock', 'cpu', 'memory', 'early_drop', 'termination'];

	var RETRY_MILLIS = 5000;
	var REFUSED = 'The application refused the live updates: more pages are open at once than '
		+ 'edge-runtime.dashboard.max-clients allows, the application is stopping, or your session has ended '
		+ '(reload the page to sign in again). This page tries again every ' + (RETRY_MILLIS / 1000) + ' s.';

	var view = { state: '', q: '', page: 0 };
	var source = null;
	var retry = null;
	var rows = new Map();
	var last = null;
	// queues whose requeue is under way: the table is redrawn by every push, its button must stay disabled
	var requeueing = new Set();

	function $(id) {
		return document.getElementById(id);
	}

	function el(tag, className, text) {
		var element = document.createElement(tag);
		if (className) {
			element.className = className;
		}
		if (text !== undefined && text !== null) {
			element.textContent = text;
		}
		return element;
	}

	// Durations come as ISO-8601 ("PT1.5S") or as seconds, depending on the application's JSON settings.
	function seconds(duration) {
		if (duration === null || duration === undefined) {
			return null;
		}
		if (typeof duration === 'number') {
			return duration;
		}
		var match = /^(-)?P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(duration);
		if (!match) {
			return null;
		}
		var total = (+(match[2] || 0)) * 86400 + (+(match[3] || 0)) * 3600 + (+(match[4] || 0)) * 60
				+ (+(match[5] || 0));
		return match[1] ? -total : total;
	}

	function instant(value) {
		if (value === null || value === undefined) {
			return null;
		}
		return (typeof value === 'number') ? new Date(value * 1000) : new Date(value);
	}

	function formatSeconds(value) {
		if (value === null) {
			return '–';
		}
		if (value < 10) {
			return value.toFixed(1) + ' s';
		}
		if (value < 60) {
			return Math.floor(value) + ' s';
		}
		if (value < 3600) {
			return Math.floor(value / 60) + ' min ' + String(Math.floor(value % 60)).padStart(2, '0') + ' s';
		}
		return Math.floor(value / 3600) + ' h ' + String(Math.floor((value % 3600) / 60)).padStart(2, '0') + ' min';
	}

	function formatBytes(bytes) {
		if (bytes === null || bytes === undefined) {
			return '–';
		}
		var units = ['B', 'KB', 'MB', 'GB', 'TB'];
		var unit = 0;
		while (bytes >= 1024 && unit < units.length - 1) {
			bytes /= 1024;
			unit++;
		}
		return (unit === 0 ? bytes : bytes.toFixed(1)) + ' ' + units[unit];
	}

	function formatNumber(value) {
		return (value === null || value === undefined) ? '–' : Number(value).toLocaleString('en');
	}

	function simpleName(type) {
		return type ? type.substring(type.lastIndexOf('.') + 1) : '';
	}

	function label(state) {
		return state.charAt(0) + state.slice(1).toLowerCase().replace(/_/g, ' ');
	}

	function connect() {
		if (source) {
			source.close();
		}
		var params = new URLSearchParams();
		if (view.state) {
			params.set('state', view.state);
		}
		if (view.q) {
			params.set('q', view.q);
		}
		params.set('page', String(view.page));
		clearTimeout(retry);
		setConnection('connecting');
		var current = new EventSource(base + '/events?' + params.toString());
		source = current;
		current.addEventListener('open', function () {
			setConnection('live');
		});
		current.addEventListener('error', function () {
			if (current !== source) {
				return;
			}
			if (current.readyState === EventSource.CLOSED) {
				// EventSource gives up after an error status (503 when too many pages are open, or while
				// the application stops; a login page once the session has ended): try again later, and
				// say why in the page, where the status cannot be seen
				setConnection('closed', 'refused, retrying', REFUSED);
				retry = setTimeout(connect, RETRY_MILLIS);
			}
			else {
				setConnection('reconnecting');
			}
		});
		current.addEventListener('snapshot', function (event) {
			setConnection('live');
			render(JSON.parse(event.data));
		});
	}

	function setConnection(state, text, title) {
		var connection = $('connection');
		connection.dataset.state = state;
		connection.textContent = text || state;
		connection.title = title || 'Live updates';
	}

	function render(snapshot) {
		last = snapshot;
		renderRuntime(snapshot);
		renderTotals(snapshot.totals);
		renderDurable(snapshot.queue);
		renderTasks(snapshot);
		renderPager(snapshot.page);
		renderStateCounts(snapshot.page.byState);
		document.body.dataset.ready = 'true';
	}

	function renderRuntime(snapshot) {
		var runtime = snapshot.runtime;
		var box = $('runtime');
		box.replaceChildren();
		var status = runtime.draining ? 'draining' : (runtime.accepting ? 'accepting' : 'refusing');
		box.appendChild(el('span', 'pill ' + status, status));
		if (runtime.memoryPressure) {
			box.appendChild(el('span', 'pill pressure', 'memory pressure'));
		}
		box.appendChild(el('span', 'figure', formatNumber(runtime.active) + ' / ' + formatNumber(snapshot.limits.maxInFlight)
				+ ' in flight'));
		box.appendChild(el('span', 'figure', formatNumber(runtime.retained) + ' retained'));
	}

	function card(title, value, className) {
		var box = el('div', 'card ' + (className || ''));
		box.appendChild(el('span', 'value', formatNumber(value)));
		box.appendChild(el('span', 'label', title));
		return box;
	}

	function renderTotals(totals) {
		var outcomes = $('outcomes');
		outcomes.replaceChildren();
		OUTCOMES.forEach(function (state) {
			var box = card(label(state), totals.byOutcome[state] || 0, 'state-' + state);
			box.dataset.outcome = state;
			outcomes.appendChild(box);
		});
		outcomes.appendChild(card('Rejected', totals.rejected, 'rejected'));
		var reasons = $('reasons');
		reasons.replaceChildren();
		REASONS.forEach(function (reason) {
			var box = card(reason, totals.byReason[reason] || 0);
			box.dataset.reason = reason;
			reasons.appendChild(box);
		});
	}

	function fillTable(id, items, cells) {
		var body = document.querySelector('#' + id + ' tbody');
		body.replaceChildren();
		items.forEach(function (item) {
			var row = el('tr');
			cells(item).forEach(function (cell) {
				row.appendChild(cell);
			});
			body.appendChild(row);
		});
	}

	function cell(text, className) {
		return el('td', className, text);
	}

	function renderDurable(queue) {
		var section = $('durable');
		section.hidden = !queue;
		if (!queue) {
			return;
		}
		var error = $('durable-error');
		// the figures that could not be read: all of them (error), or some queues' (unavailable)
		var problems = queue.error ? [queue.error] : [];
		Object.keys(queue.unavailable || {}).forEach(function (name) {
			problems.push('Queue ' + name + ' unavailable: ' + queue.unavailable[name]);
		});
		error.hidden = problems.length === 0;
		error.textContent = problems.join(' · ');
		fillTable('queues', queue.queues, function (q) {
			return [cell(q.name), cell(formatNumber(q.depth), 'num'), cell(formatNumber(q.visible), 'num'),
				cell(q.oldestAgeSeconds === null ? '–' : formatSeconds(q.oldestAgeSeconds), 'num'),
				cell(q.oldestVisibleAgeSeconds === null ? '–' : formatSeconds(q.oldestVisibleAgeSeconds), 'num'),
				cell(formatNumber(q.deadLettered), q.deadLettered > 0 ? 'num dead' : 'num'),
				cell(formatNumber(q.totalMessages), 'num'),
				cell(q.lastVacuum ? q.lastVacuum.replace('_', ' ') : '–',
					q.lastVacuum === 'not_owner' || q.lastVacuum === 'failed' ? 'error' : ''),
				requeueCell(q)];
		});
		$('consumers-block').hidden = queue.consumers.length === 0;
		fillTable('consumers', queue.consumers, function (c) {
			return [cell(c.queue), cell(c.listener),
				cell(!c.running ? 'stopped' : (c.healthy ? 'reading' : 'failing'), c.healthy ? '' : 'error'),
				cell(formatNumber(c.inFlight) + ' / ' + formatNumber(c.concurrency), 'num'), cell(c.lastError || '')];
		});
		var jobs = queue.cronJobs;
		$('cron-block').hidden = !jobs || jobs.length === 0;
		fillTable('cron', jobs || [], function (job) {
			var run = job.lastRun;
			var started = run ? instant(run.startedAt) : null;
			return [cell(job.name + (job.active ? '' : ' (inactive)')), cell(job.schedule, 'mono'), cell(job.queue),
				schedulerCell(job),
				cell(run ? (run.status + (started ? ' at ' + started.toLocaleString() : '')) : 'never')];
		});
	}

	// A job two schedulers fire (instances in different edge-runtime.cron.mode) sends two messages a tick.
	function schedulerCell(job) {
		var scheduler = cell(job.scheduler);
		if (job.alsoFiredBy) {
			scheduler.appendChild(document.createTextNode(' '));
			var marker = el('span', 'badge fired-twice', 'fired twice: ' + job.scheduler + ' and ' + job.alsoFiredBy);
			marker.title = 'Each tick sends two messages: this instance fires the job (' + job.scheduler + ') and '
					+ job.alsoFiredBy + ' fires it too. Instances run in different edge-runtime.cron.mode: give them '
					+ 'the same one (docs/cron.md, "With pg_cron").';
			scheduler.appendChild(marker);
		}
		return scheduler;
	}

	function newRow(id) {
		var row = el('tr');
		row.dataset.taskId = id;
		var parts = {
			row: row,
			name: el('div', 'name'),
			id: el('div', 'id mono'),
			state: el('span', 'badge'),
			bar: el('div', 'bar'),
			fill: el('div', 'fill'),
			progressText: el('div', 'small'),
			budgetBar: el('div', 'bar thin'),
			budgetFill: el('div', 'fill'),
			elapsed: el('div', 'small'),
			origin: el('div', 'small'),
			error: el('div', 'small error'),
			action: el('td', 'action')
		};
		parts.bar.appendChild(parts.fill);
		parts.budgetBar.appendChild(parts.budgetFill);
		var task = el('td', 'task');
		task.appendChild(parts.name);
		task.appendChild(parts.id);
		var state = el('td');
		state.appendChild(parts.state);
		var progress = el('td', 'progress');
		progress.appendChild(parts.bar);
		progress.appendChild(parts.progressText);
		var budget = el('td', 'budget');
		budget.appendChild(parts.elapsed);
		budget.appendChild(parts.budgetBar);
		var origin = el('td');
		origin.appendChild(parts.origin);
		var error = el('td');
		error.appendChild(parts.error);
		[task, state, progress, budget, origin, error, parts.action].forEach(function (part) {
			row.appendChild(part);
		});
		return parts;
	}

	function updateRow(parts, task, canCancel) {
		parts.row.dataset.state = task.state;
		parts.name.textContent = task.name;
		parts.id.textContent = task.id.substring(0, 8) + (task.attempt > 1 ? ' · attempt ' + task.attempt : '');
		parts.id.title = task.id;
		parts.state.textContent = label(task.state);
		parts.state.className = 'badge state-' + task.state;

		var progress = task.progress;
		var fraction = progress ? progress.fraction : null;
		if (fraction === null && task.state === 'SUCCEEDED') {
			fraction = 1;
		}
		parts.bar.classList.toggle('unknown', fraction === null || fraction < 0);
		var width = (fraction === null || fraction < 0) ? 0 : Math.round(fraction * 1000) / 10;
		parts.fill.style.width = width + '%';
		parts.bar.dataset.fraction = (fraction === null || fraction < 0) ? '' : String(fraction);
		var text = '';
		if (progress) {
			text = formatNumber(progress.done) + (progress.total > 0 ? ' / ' + formatNumber(progress.total) : '')
					+ (progress.message ? ' · ' + progress.message : '');
		}
		parts.progressText.textContent = text;

		var wall = task.budgets.wallClock;
		var used = seconds(wall.used);
		var lines = [formatSeconds(seconds(task.elapsed)) + ' / ' + formatSeconds(seconds(wall.limit))];
		if (task.budgets.cpuTime) {
			lines.push('CPU ' + formatSeconds(seconds(task.budgets.cpuTime.used)) + ' / '
					+ formatSeconds(seconds(task.budgets.cpuTime.limit)));
		}
		if (task.budgets.memory) {
			lines.push('memory ' + formatBytes(task.budgets.memory.usedBytes) + ' / '
					+ formatBytes(task.budgets.memory.limitBytes));
		}
		parts.elapsed.textContent = lines.join(' · ');
		var budgetFraction = Math.max(wall.fractionUsed || 0,
				(task.budgets.cpuTime && task.budgets.cpuTime.fractionUsed) || 0,
				(task.budgets.memory && task.budgets.memory.fractionUsed) || 0);
		parts.budgetFill.style.width = Math.min(100, Math.round(budgetFraction * 1000) / 10) + '%';
		parts.budgetBar.classList.toggle('warn', budgetFraction >= 0.75);
		parts.budgetBar.hidden = used === null;

		var origin = task.origin;
		var where = origin.method ? origin.method + ' ' + (origin.path || '') : 'outside a request';
		if (origin.principal) {
			where += ' · ' + origin.principal;
		}
		parts.origin.textContent = where;
		parts.origin.title = origin.traceId ? 'trace ' + origin.traceId : '';

		var error = '';
		if (task.error) {
			error = simpleName(task.error.type) + (task.error.message ? ': ' + task.error.message : '');
		}
		if (task.unloadReason) {
			error = (error ? error + ' · ' : '') + task.unloadReason;
		}
		parts.error.textContent = error;
		parts.error.title = task.error ? task.error.type : '';

		var cancellable = canCancel && (task.state === 'RUNNING' || task.state === 'SCHEDULED');
		var button = parts.action.querySelector('button');
		if (cancellable && !button) {
			button = el('button', 'cancel', 'Cancel');
			button.type = 'button';
			button.dataset.taskId = task.id;
			button.addEventListener('click', function () {
				cancel(task.id, task.name, button);
			});
			parts.action.appendChild(button);
		}
		else if (!cancellable && button) {
			button.remove();
		}
	}

	function renderTasks(snapshot) {
		var body = document.querySelector('#tasks tbody');
		var seen = new Set();
		var previous = null;
		snapshot.tasks.forEach(function (task) {
			seen.add(task.id);
			var parts = rows.get(task.id);
			if (!parts) {
				parts = newRow(task.id);
				rows.set(task.id, parts);
			}
			updateRow(parts, task, snapshot.canCancel);
			// moved only when out of place, so that a row under the pointer stays where it is
			var expected = previous ? previous.nextSibling : body.firstChild;
			if (expected !== parts.row) {
				body.insertBefore(parts.row, expected);
			}
			previous = parts.row;
		});
		rows.forEach(function (parts, id) {
			if (!seen.has(id)) {
				parts.row.remove();
				rows.delete(id);
			}
		});
		$('empty').hidden = snapshot.tasks.length > 0;
	}

	function renderPager(page) {
		var from = page.matching === 0 ? 0 : page.number * page.size + 1;
		var to = Math.min(page.matching, (page.number + 1) * page.size);
		$('range').textContent = formatNumber(from) + '–' + formatNumber(to) + ' of ' + formatNumber(page.matching);
		$('previous').disabled = page.number === 0;
		$('next').disabled = to >= page.matching;
		if (page.matching > 0 && from > page.matching) {
			// the list shrank below this page: show its last page
			view.page = Math.max(0, Math.ceil(page.matching / page.size) - 1);
			connect();
		}
	}

	function renderStateCounts(byState) {
		var active = (byState.SCHEDULED || 0) + (byState.RUNNING || 0);
		var total = Object.keys(byState).reduce(function (sum, state) {
			return sum + byState[state];
		}, 0);
		Array.prototype.forEach.call($('state-filter').options, function (option) {
			var name = option.dataset.label || option.textContent;
			option.dataset.label = name;
			var count = option.value === '' ? total : (option.value === 'active' ? active : (byState[option.value] || 0));
			option.textContent = name + ' (' + formatNumber(count) + ')';
		});
	}

	function requeueCell(q) {
		var action = cell('', 'action');
		if (canRequeue && q.deadLettered > 0) {
			var button = el('button', 'requeue', 'Run again');
			button.type = 'button';
			button.dataset.queue = q.name;
			button.disabled = requeueing.has(q.name);
			button.addEventListener('click', function () {
				requeue(q.name, q.deadLettered, button);
			});
			action.appendChild(button);
		}
		return action;
	}

	function requeue(queue, count, button) {
		if (!window.confirm('Run again the ' + formatNumber(count) + ' dead-lettered message' + (count === 1 ? '' : 's')
				+ ' of queue ' + queue + '?')) {
			return;
		}
		button.disabled = true;
		requeueing.add(queue);
		// a JSON body: a browser sends it to another origin only after a CORS pre-flight
		var headers = { 'Accept': 'application/json', 'Content-Type': 'application/json' };
		if (csrfHeader && csrfToken) {
			headers[csrfHeader] = csrfToken;
		}
		fetch(base + '/queues/' + encodeURIComponent(queue) + '/dead-letters/requeue',
				{ method: 'POST', headers: headers, body: '{}', credentials: 'same-origin' })
			.then(function (response) {
				if (response.status === 403) {
					showMessage('You may not run dead letters again.', true);
					return;
				}
				return response.json().then(function (body) {
					if (response.ok) {
						showMessage('Sent ' + formatNumber(body.requeued) + ' dead-lettered message'
							+ (body.requeued === 1 ? '' : 's') + ' of queue ' + body.queue + ' back to be run again.', false);
					}
					else {
						showMessage('Running the dead letters of queue ' + queue + ' again failed: '
							+ (body.message || 'HTTP ' + response.status) + '.', true);
					}
				}, function () {
					showMessage('Running the dead letters of queue ' + queue + ' again failed: HTTP '
						+ response.status + '.', true);
				});
			})
			.catch(function (error) {
				showMessage('Running the dead letters of queue ' + queue + ' again failed: ' + error.message, true);
			})
			.finally(function () {
				requeueing.delete(queue);
				button.disabled = false;
			});
	}

	function showMessage(text, isError) {
		var message = $('message');
		message.textContent = text;
		message.classList.toggle('error', !!isError);
		message.hidden = false;
	}

	function cancel(id, name, button) {
		button.disabled = true;
		var headers = { 'Accept': 'application/json' };
		if (csrfHeader && csrfToken) {
			headers[csrfHeader] = csrfToken;
		}
		fetch(base + '/tasks/' + encodeURIComponent(id), { method: 'DELETE', headers: headers, credentials: 'same-origin' })
			.then(function (response) {
				if (response.ok) {
					showMessage('Cancelled ' + name + ' (' + id.substring(0, 8) + ').', false);
				}
				else if (response.status === 409) {
					showMessage(name + ' had already ended.', false);
				}
				else if (response.status === 403) {
					showMessage('You may not cancel tasks.', true);
				}
				else if (response.status === 404) {
					showMessage(name + ' is no longer known.', true);
				}
				else {
					showMessage('Cancelling ' + name + ' failed: HTTP ' + response.status + '.', true);
				}
			})
			.catch(function (error) {
				showMessage('Cancelling ' + name + ' failed: ' + error.message, true);
			})
			.finally(function () {
				button.disabled = false;
			});
	}

	function init() {
		var stateFilter = $('state-filter');
		stateFilter.value = view.state;
		stateFilter.addEventListener('change', function () {
			view.state = stateFilter.value;
			view.page = 0;
			connect();
		});
		var query = $('query');
		var typing = null;
		query.addEventListener('input', function () {
			clearTimeout(typing);
			typing = setTimeout(function () {
				view.q = query.value.trim();
				view.page = 0;
				connect();
			}, 300);
		});
		$('previous').addEventListener('click', function () {
			if (view.page > 0) {
				view.page--;
				connect();
			}
		});
		$('next').addEventListener('click', function () {
			if (last && (view.page + 1) * pageSize < last.page.matching) {
				view.page++;
				connect();
			}
		});
		window.addEventListener('beforeunload', function () {
			if (source) {
				source.close();
			}
		});
		connect();
	}

	init();
}());
