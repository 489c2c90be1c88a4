package io.vmm.replica;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vmm.async.Budgets;
import io.vmm.bus.Addresses;
import io.vmm.bus.ControlRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Requests between replicas (cluster mode), on each member's cluster-wide address {@code vmm.member.<name>}: its
 * status, a control operation it should apply, and the release of a unit it runs. The wire form is JSON
 * ({@code {"op":"status"}}, {@code {"op":"control","controlOp",...ControlRequest fields}}, {@code {"op":"release",
 * "flow","unit","from"}}); failures carry an HTTP status as failure code.
 * <p>
 * Threading: create, {@link #listen} and ask from the supervisor's context; answers complete there.
 */
public final class MemberRpc {

  private static final Logger LOG = LoggerFactory.getLogger(MemberRpc.class);

  /** What this member answers. */
  public interface Handler {
    /** This member's own status. */
    Future<JsonObject> localStatus();

    /** Applies a control operation here; fails with an HTTP status as failure code. */
    Future<JsonObject> control(ControlRequest request);

    /** Stops {@code unit} of {@code flow} here for {@code from}, which takes it over. */
    Future<Void> release(String flow, String unit, String from);
  }

  private final Vertx vertx;
  private final Handler handler;
  private final Supplier<MemberView> view;
  private MessageConsumer<JsonObject> consumer;

  public MemberRpc(Vertx vertx, Supplier<MemberView> view, Handler handler) {
    this.vertx = vertx;
    this.view = view;
    this.handler = handler;
  }

  /** Answers on this member's address (again after its key changed); completes once registered. */
  public Future<Void> listen() {
    String address = Addresses.member(view.get().self());
    if (consumer != null && consumer.address().equals(address)) {
      return Future.succeededFuture();
    }
    Future<Void> old = consumer == null ? Future.succeededFuture() : consumer.unregister();
    consumer = vertx.eventBus().consumer(address, this::onRequest);
    return old.transform(ar -> consumer.completion());
  }

  public Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void onRequest(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    Future<?> result = switch (body.getString("op", "")) {
      case "status" -> handler.localStatus();
      case "control" -> handler.control(new ControlRequest(body.getString("controlOp"), body.getString("connector"),
          body.getInteger("task", -1), body.getBoolean("includeTasks", false), body.getBoolean("onlyFailed", false)));
      case "release" -> handler.release(body.getString("flow"), body.getString("unit"), body.getString("from"))
          .map("released");
      default -> Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 400,
          "unknown op " + body.getString("op")));
    };
    result.onSuccess(message::reply).onFailure(e -> message.fail(failureCode(e), String.valueOf(e.getMessage())));
  }

  /** The HTTP status a failure carries (a {@link ReplyException}'s failure code of 400 or more), else 500. */
  public static int failureCode(Throwable e) {
    return e instanceof ReplyException re && re.failureCode() >= 400 ? re.failureCode() : 500;
  }

  /** Applies {@code request} on {@code member}; fails with the member's failure code, or 503 if it did not answer. */
  public Future<JsonObject> control(String member, ControlRequest request, String what) {
    return vertx.eventBus().<JsonObject>request(Addresses.member(member), toJson(request),
            new DeliveryOptions().setSendTimeout(Budgets.MEMBER_REQUEST_MS))
        .map(Message::body)
        .recover(e -> Future.failedFuture(e instanceof ReplyException re && re.failureCode() >= 400 ? e
            : new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "member " + member + " running " + what
                + " did not answer: " + e.getMessage())));
  }

  /** Sends {@code request} to every other member; the answers that came, by member (failures left out). */
  public Future<Map<String, JsonObject>> askOthers(ControlRequest request) {
    return askOthers(request.op().equals("status") ? new JsonObject().put("op", "status") : toJson(request));
  }

  private Future<Map<String, JsonObject>> askOthers(JsonObject request) {
    Map<String, JsonObject> answers = new TreeMap<>();
    List<Future<?>> asks = new ArrayList<>();
    MemberView v = view.get();
    for (String m : v.members()) {
      if (!m.equals(v.self())) {
        asks.add(vertx.eventBus().<JsonObject>request(Addresses.member(m), request,
                new DeliveryOptions().setSendTimeout(Budgets.MEMBER_REQUEST_MS))
            .onSuccess(reply -> answers.put(m, reply.body()))
            .onFailure(e -> LOG.debug("member {} did not answer {}: {}", m, request.getString("op"), e.toString())));
      }
    }
    return Future.join(asks).transform(ar -> Future.succeededFuture(answers));
  }

  /** {@link UnitOwnership.Handover} over the event bus; never fails (an unreachable member counts as released). */
  public Future<Void> release(String member, String flow, String unit) {
    JsonObject request = new JsonObject().put("op", "release").put("flow", flow).put("unit", unit)
        .put("from", view.get().self());
    return vertx.eventBus().request(Addresses.member(member), request,
            new DeliveryOptions().setSendTimeout(Budgets.MEMBER_RELEASE_MS))
        .transform(ar -> {
          if (ar.failed() && !(ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)) {
            LOG.warn("{}: member {} did not confirm releasing {} ({}); starting it here anyway", flow, member, unit,
                ar.cause().getMessage());
          }
          return Future.succeededFuture();
        });
  }

  private static JsonObject toJson(ControlRequest r) {
    return new JsonObject().put("op", "control").put("controlOp", r.op()).put("connector", r.connector())
        .put("task", r.task()).put("includeTasks", r.includeTasks()).put("onlyFailed", r.onlyFailed());
  }
}
