package io.vmm.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.vmm.bench.Bench.ADMIN_TIMEOUT;
import static io.vmm.bench.Bench.BROKER_READY_TIMEOUT;
import static io.vmm.bench.Bench.HOST;
import static io.vmm.bench.Bench.LOG_DIR;

/**
 * One single-node KRaft 4.1.1 broker (broker and controller in one child JVM, {@code kafka.Kafka}, -Xmx768m) on
 * 127.0.0.1 with its data in {@code <data-dir>/<name>}: wiped, formatted ({@code kafka.tools.StorageTool format})
 * and started afresh for each contender, ready once Admin {@code describeCluster} answers (at most 90 s), stopped
 * with SIGTERM (SIGKILL after 30 s). Its output goes to {@code target/bench/logs/broker-<name>.<contender>.log}.
 *
 * <p>Blocking; the orchestrator's main thread only. Failures are {@link IllegalStateException}s naming the log.
 */
final class Broker {
    final String name;
    final int port;
    final int controllerPort;
    final Path dir;
    private final String classpath;
    private final ChildProcesses children;
    /** The running broker JVM, or null. */
    Process process;

    /**
     * @param classpath the broker's class path (target/test-classes and target/test.classpath)
     */
    Broker(String name, int port, int controllerPort, Path dataDir, String classpath, ChildProcesses children) {
        this.name = name;
        this.port = port;
        this.controllerPort = controllerPort;
        this.dir = dataDir.resolve(name).toAbsolutePath();
        this.classpath = classpath;
        this.children = children;
    }

    String bootstrap() {
        return HOST + ":" + port;
    }

    void wipeAndStart(String contenderName) throws IOException, InterruptedException {
        stop();
        if (Files.isDirectory(dir) && !Files.exists(dir.resolve("server.properties"))) {
            try (Stream<Path> l = Files.list(dir)) {
                if (l.findAny().isPresent()) {
                    throw new IllegalStateException(dir + " exists and is not a benchmark broker directory (no server.properties);"
                            + " not deleting it");
                }
            }
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        Path props = dir.resolve("server.properties");
        Files.writeString(props, properties());
        Path log = LOG_DIR.resolve("broker-" + name + "." + contenderName + ".log");
        Files.deleteIfExists(log);
        Process f = children.start(new ProcessBuilder(Bench.JAVA, "-Xmx256m", "-cp", classpath, "kafka.tools.StorageTool",
                "format", "-t", Uuid.randomUuid().toString(), "-c", props.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
        if (!f.waitFor(60, TimeUnit.SECONDS)) {
            f.destroyForcibly();
            throw new IllegalStateException("formatting broker " + name + " took more than 60 s; see " + log);
        }
        children.forget(f);
        if (f.exitValue() != 0) {
            throw new IllegalStateException("formatting broker " + name + " failed (exit " + f.exitValue() + "); see " + log);
        }
        process = children.start(new ProcessBuilder(Bench.JAVA, "-Xmx768m", "-cp", classpath, "kafka.Kafka", props.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
    }

    void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + BROKER_READY_TIMEOUT.toNanos();
        // first the port, so the Admin client does not log a warning per failed connection
        while (!acceptsConnections(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker " + name + " exited with code " + process.exitValue()
                        + "; see " + LOG_DIR.resolve("broker-" + name + ".*.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("broker " + name + " does not listen on " + bootstrap() + " after "
                        + BROKER_READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
        try (Admin a = BenchClients.admin(this)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("broker " + name + " exited with code " + process.exitValue()
                            + "; see " + LOG_DIR.resolve("broker-" + name + ".*.log"));
                }
                try {
                    if (!a.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    // not ready yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + name + " not ready within " + BROKER_READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        }
    }

    void stop() {
        if (process != null) {
            children.stop(process, Duration.ofSeconds(30));
            process = null;
        }
    }

    /** The broker's server.properties: single-node KRaft on 127.0.0.1, RF 1 everywhere, no topic auto-creation. */
    String properties() {
        return """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@%1$s:%3$d
                listeners=PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d
                advertised.listeners=PLAINTEXT://%1$s:%2$d
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                log.dirs=%4$s
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                transaction.state.log.num.partitions=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                num.partitions=1
                default.replication.factor=1
                log.cleaner.dedupe.buffer.size=2097152
                unstable.api.versions.enable=false
                unstable.feature.versions.enable=false
                auto.create.topics.enable=false
                """.formatted(HOST, port, controllerPort, dir.resolve("data"));
    }

    /** Deletes the broker's data directory (after the run: the data is useless and may sit in tmpfs). */
    void deleteData() throws IOException {
        if (Files.exists(dir.resolve("server.properties"))) {
            deleteTree(dir);
        }
    }

    private static boolean acceptsConnections(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
