package io.vmm.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vmm.async.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.function.Consumer;

/**
 * Watches the config file for live reconfiguration: reads it every {@code scanPeriodMs} through the same
 * vertx-config retriever definition as {@link ConfigSource#load} (so a reload sees the file exactly as the
 * start did: same format, same Strimzi unwrapping, same error messages) and reports
 * <ul>
 *   <li>a document different from the last one known (the one loaded at start, when given) to {@code onChange},
 *       unwrapped; the file's first read reports nothing when it did not change since it was loaded;</li>
 *   <li>a read that fails (missing file, invalid JSON/YAML, not a mapping) to {@code onError} as the one-line
 *       {@link ConfigException} problem naming the file; the same problem is reported once until a read
 *       succeeds or the problem changes. The last good document stays the reference.</li>
 * </ul>
 * The document is not validated here ({@link ConfigParser} is the caller's step). An MM2 properties file is
 * translated on every read ({@link ConfigSource}, {@link Mm2Properties}), limited to the {@code --clusters}
 * aliases given to {@link #watch(Vertx, String, Set, long, JsonObject, Consumer, Consumer)} (the ones the start
 * loaded it with); the translated document is what is compared and reported.
 * <p>
 * Scans never overlap ({@link PeriodicTask}: the next scan is {@code scanPeriodMs} after one ends). The
 * retriever's own periodic scan is not used: it starts from an empty document (so its first scan always
 * reported a change) and logs every failed scan with a stack trace.
 * <p>
 * Threading: everything (scans, {@code onChange}, {@code onError}) runs on the Vert.x context that was current
 * when {@link #watch} was called (a new event-loop context when called from a non-Vert.x thread).
 * {@link #close()} may be called from any thread; nothing is delivered after it.
 */
public final class ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Context context;
  private final String path;
  private final Set<String> onlyTargets;
  private final Consumer<JsonObject> onChange;
  private final Consumer<String> onError;
  private ConfigRetriever retriever;
  private PeriodicTask task;
  /** The last document read or given: changes are measured against it; null until one is known. */
  private JsonObject last;
  private String lastError;
  private boolean closed;

  private ConfigWatcher(Context context, String path, Set<String> onlyTargets, JsonObject loaded,
                        Consumer<JsonObject> onChange, Consumer<String> onError) {
    this.context = context;
    this.path = path;
    this.onlyTargets = Set.copyOf(onlyTargets);
    this.last = loaded == null ? null : loaded.copy();
    this.onChange = onChange;
    this.onError = onError;
  }

  /**
   * Starts watching {@code path}, taking the file as it is now as the reference: its first read (at once) is
   * not reported, only later changes. Prefer {@link #watch(Vertx, String, long, JsonObject, Consumer, Consumer)}
   * with the document loaded at start, so that an edit made between the start and this call is not missed.
   *
   * @param path         the config file, as given to {@link ConfigSource#load} (not inline JSON)
   * @param scanPeriodMs ms between the end of one read and the start of the next ({@code reload.scanPeriodMs})
   * @param onChange     gets each changed document (unwrapped, plain JSON; not validated)
   * @param onError      gets each new read problem, one line naming the file
   */
  public static ConfigWatcher watch(Vertx vertx, String path, long scanPeriodMs, Consumer<JsonObject> onChange,
                                    Consumer<String> onError) {
    return start(vertx, path, Set.of(), scanPeriodMs, null, onChange, onError);
  }

  /**
   * Starts watching {@code path}; the first read is {@code scanPeriodMs} from now and reports a change only if
   * the file differs from {@code loaded}.
   *
   * @param path         the config file, as given to {@link ConfigSource#load} (not inline JSON)
   * @param scanPeriodMs ms between the end of one read and the start of the next ({@code reload.scanPeriodMs})
   * @param loaded       the document {@link ConfigSource#load} returned for {@code path} at start (the running
   *                     config's document); null to take the file as it is now, as
   *                     {@link #watch(Vertx, String, long, Consumer, Consumer)} does
   * @param onChange     gets each changed document (unwrapped, plain JSON; not validated)
   * @param onError      gets each new read problem, one line naming the file
   */
  public static ConfigWatcher watch(Vertx vertx, String path, long scanPeriodMs, JsonObject loaded,
                                    Consumer<JsonObject> onChange, Consumer<String> onError) {
    return start(vertx, path, Set.of(), scanPeriodMs, loaded, onChange, onError);
  }

  /**
   * As {@link #watch(Vertx, String, long, JsonObject, Consumer, Consumer)} for an MM2 properties file read with
   * a {@code --clusters} limit: every read is translated to the flows into {@code onlyTargets} (empty: every
   * flow), as the start loaded it.
   */
  public static ConfigWatcher watch(Vertx vertx, String path, Set<String> onlyTargets, long scanPeriodMs,
                                    JsonObject loaded, Consumer<JsonObject> onChange, Consumer<String> onError) {
    return start(vertx, path, onlyTargets, scanPeriodMs, loaded, onChange, onError);
  }

  private static ConfigWatcher start(Vertx vertx, String path, Set<String> onlyTargets, long scanPeriodMs,
                                     JsonObject loaded, Consumer<JsonObject> onChange, Consumer<String> onError) {
    if (scanPeriodMs <= 0) {
      throw new IllegalArgumentException("scanPeriodMs must be positive, got " + scanPeriodMs);
    }
    if (ConfigSource.isInline(path)) {
      throw new IllegalArgumentException("inline JSON cannot be watched");
    }
    ConfigWatcher watcher = new ConfigWatcher(vertx.getOrCreateContext(), path, onlyTargets, loaded, onChange,
        onError);
    watcher.onContext(() -> {
      watcher.retriever = ConfigSource.retriever(vertx, path, watcher.onlyTargets); // created here: it reads on this context
      long firstDelay = loaded == null ? 1 : scanPeriodMs; // without a document, the first read sets the reference
      watcher.task = PeriodicTask.start(vertx, "config file watch of " + path, firstDelay, scanPeriodMs,
          watcher::scan, LOG);
      LOG.info("watching {} for changes every {} ms", path, scanPeriodMs);
    });
    return watcher;
  }

  /** One read: compares, reports; never fails (problems go to {@code onError}). */
  private Future<?> scan() {
    if (closed) {
      return Future.succeededFuture();
    }
    boolean first = last == null && lastError == null;
    return retriever.getConfig().transform(ar -> {
      if (closed) {
        return Future.succeededFuture();
      }
      if (ar.succeeded()) {
        lastError = null;
        JsonObject doc = ar.result();
        if (!doc.equals(last)) {
          boolean report = last != null || !first; // the very first read of watch(no document) is the reference
          last = doc;
          if (report) {
            deliver(() -> onChange.accept(doc.copy()));
          }
        }
      } else {
        // one line: a properties file's translation can have several problems
        String problem = String.join("; ", ConfigSource.problem(path, ConfigSource.isYaml(path), ar.cause()).problems());
        if (!problem.equals(lastError)) {
          lastError = problem;
          deliver(() -> onError.accept(problem));
        }
      }
      return Future.succeededFuture();
    });
  }

  private void deliver(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.error("config file watch of {}: the change handler failed", path, e);
    }
  }

  /**
   * Stops watching and closes the retriever; a read in progress is not delivered. Idempotent, any thread.
   *
   * @return completes on the watcher's context once closed
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      if (!closed) {
        closed = true;
        if (task != null) {
          task.cancel();
        }
        if (retriever != null) {
          retriever.close();
        }
      }
      done.complete();
    });
    return done.future();
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  @Override
  public String toString() {
    return "ConfigWatcher[" + path + "]";
  }
}
