package io.vmm.supervisor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vmm.bus.Addresses;
import io.vmm.bus.ControlRequest;
import io.vmm.config.ConnectorKind;
import io.vmm.connector.ControlException;
import io.vmm.connector.Units;
import io.vmm.flow.FlowRunner;
import io.vmm.replica.MemberRpc;
import io.vmm.replica.MemberView;
import io.vmm.status.StatusMerge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Routes the HTTP API's requests ({@link Addresses#CONTROL}) and offset translations ({@link Addresses#TRANSLATE})
 * to the flows. In cluster mode a task operation goes to the member running the task; a connector operation is
 * applied by every member (each runs part of the connector) and answered with the connector's merged status.
 * <p>
 * Threading: handlers run on the supervisor's context.
 */
final class ControlRouter {

  private final Vertx vertx;
  private final Flows flows;
  private final boolean clustered;
  private final Supplier<MemberView> view;
  private final MemberRpc rpc;
  private final Supplier<Future<JsonObject>> status;
  private final Supplier<Future<JsonObject>> ready;

  ControlRouter(Vertx vertx, Flows flows, boolean clustered, Supplier<MemberView> view, MemberRpc rpc,
                Supplier<Future<JsonObject>> status, Supplier<Future<JsonObject>> ready) {
    this.vertx = vertx;
    this.flows = flows;
    this.clustered = clustered;
    this.view = view;
    this.rpc = rpc;
    this.status = status;
    this.ready = ready;
  }

  /** Answers a {@link ControlRequest}: status, readiness, or a connector/task operation. */
  void onControl(Message<ControlRequest> message) {
    ControlRequest request = message.body();
    Future<JsonObject> result = switch (request.op()) {
      case "status" -> status.get();
      case "ready" -> ready.get();
      default -> control(request);
    };
    result.onSuccess(message::reply).onFailure(e -> message.fail(MemberRpc.failureCode(e),
        String.valueOf(e.getMessage())));
  }

  /** A connector or task operation for the whole cluster; alone, {@link #localControl}. */
  private Future<JsonObject> control(ControlRequest request) {
    if (!clustered) {
      return localControl(request);
    }
    String connector = request.connector() == null ? "" : request.connector();
    FlowRunner runner = connector.lastIndexOf('.') < 0 ? null
        : flows.get(connector.substring(0, connector.lastIndexOf('.')));
    ConnectorKind kind = runner == null ? null : Units.kindOf(runner.flow().name(), connector);
    if (kind == null) {
      return localControl(request); // answers the 404
    }
    if (request.op().endsWith("-task")) {
      String unit = kind == ConnectorKind.SOURCE ? Units.task(runner.flow().name(), request.task())
          : Units.connector(runner.flow().name(), kind);
      String owner = view.get().owner(unit);
      return owner.equals(view.get().self()) ? localControl(request) : rpc.control(owner, request, unit);
    }
    return localControl(request).compose(mine -> rpc.askOthers(request).map(others -> {
      List<JsonObject> each = new ArrayList<>();
      each.add(mine.copy().put("reporter", view.get().self()));
      others.forEach((m, c) -> each.add(c.copy().put("reporter", m)));
      return StatusMerge.connector(each);
    }));
  }

  /** Applies a connector or task operation to this replica's runner of the flow. */
  Future<JsonObject> localControl(ControlRequest request) {
    String connector = request.connector();
    FlowRunner runner = connector == null || connector.lastIndexOf('.') < 0 ? null
        : flows.get(connector.substring(0, connector.lastIndexOf('.')));
    if (runner == null) {
      return Future.failedFuture(new ControlException(404, "unknown connector " + connector + "; connectors: "
          + connectorNames().encode()));
    }
    return runner.control(connector, request.op(), request.task(), request.includeTasks(), request.onlyFailed());
  }

  private JsonArray connectorNames() {
    JsonArray names = new JsonArray();
    flows.all().forEach(r -> {
      for (ConnectorKind k : ConnectorKind.values()) {
        if (r.flow().connector(k).present()) {
          names.add(Units.connector(r.flow().name(), k));
        }
      }
    });
    return names;
  }

  /** Routes a translation request to the named flow's checkpointer (on whichever member runs it). */
  void onTranslate(Message<JsonObject> message) {
    String flow = message.body() == null ? null : message.body().getString("flow");
    String group = message.body() == null ? null : message.body().getString("group");
    if (flow == null || group == null) {
      message.fail(400, "flow and group are required");
      return;
    }
    if (flows.get(flow) == null) {
      message.fail(404, "unknown flow " + flow + "; flows: " + String.join(", ", flows.names()));
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.translate(flow), message.body())
        .onSuccess(reply -> message.reply(reply.body()))
        .onFailure(e -> message.fail(503, e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? "flow " + flow + " does not emit checkpoints (not started, or checkpoints off)" : e.getMessage()));
  }
}
