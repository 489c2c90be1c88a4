package io.vmm.supervisor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vmm.async.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Notices changed secret files (a rotated certificate, a new password: Kubernetes swaps a mounted Secret's files
 * in place) and names the flows that read them, so their clients restart with the new contents, like a config
 * reload. Every {@code scanMs} it fingerprints (SHA-256 of the content) every file the current config read; the
 * first scan is the baseline. Files are read on a worker thread. Log lines name files, never their contents.
 * <p>
 * Threading: start and close on the supervisor's context; {@code onChanged} runs there.
 */
final class SecretWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(SecretWatcher.class);

  private final Vertx vertx;
  private final Supplier<Map<String, Set<Path>>> filesByFlow;
  private final Consumer<Set<String>> onChanged;
  private final PeriodicTask task;
  private Map<Path, String> last;

  /**
   * @param filesByFlow the secret files each flow's clients read (from the current config), by flow name
   * @param onChanged   the flows whose files changed since the previous scan
   */
  SecretWatcher(Vertx vertx, long scanMs, Supplier<Map<String, Set<Path>>> filesByFlow,
                Consumer<Set<String>> onChanged) {
    this.vertx = vertx;
    this.filesByFlow = filesByFlow;
    this.onChanged = onChanged;
    this.task = PeriodicTask.start(vertx, "secret files scan", 1, scanMs, this::scan, LOG);
  }

  private Future<?> scan() {
    Map<String, Set<Path>> byFlow = filesByFlow.get();
    Set<Path> files = new HashSet<>();
    byFlow.values().forEach(files::addAll);
    if (files.isEmpty()) {
      last = Map.of();
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> fingerprints(files), false).onSuccess(now -> {
      Map<Path, String> before = last;
      last = now;
      if (before == null) {
        return; // baseline
      }
      Set<Path> changed = new TreeSet<>();
      now.forEach((file, print) -> {
        if (before.containsKey(file) && !before.get(file).equals(print)) {
          changed.add(file);
        }
      });
      if (changed.isEmpty()) {
        return;
      }
      Set<String> flows = new TreeSet<>();
      byFlow.forEach((flow, read) -> {
        if (read.stream().anyMatch(changed::contains)) {
          flows.add(flow);
        }
      });
      LOG.info("secret files changed: {}; restarting the clients of {}", changed, flows);
      onChanged.accept(flows);
    });
  }

  /** File to SHA-256 of its content, or "missing"/"unreadable". */
  static Map<Path, String> fingerprints(Set<Path> files) {
    Map<Path, String> out = new HashMap<>();
    for (Path f : files) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        out.put(f, java.util.HexFormat.of().formatHex(sha.digest(Files.readAllBytes(f))));
      } catch (NoSuchFileException e) {
        out.put(f, "missing");
      } catch (IOException e) {
        out.put(f, "unreadable");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  void close() {
    task.cancel();
  }
}
