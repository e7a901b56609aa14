package io.distillwatch.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillwatch.jobs.report.Chromium;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium (Debian's package) driven over the Chrome DevTools Protocol with the JDK's
 * own WebSocket client: loads a page, records every console message, uncaught exception and network
 * request, evaluates script in the page and takes full-page screenshots.
 */
public final class HeadlessBrowser implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> consoleErrors = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

  private HeadlessBrowser(Process process, Path profile, String pageSocket) throws Exception {
    this.process = process;
    this.profile = profile;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20))
        .buildAsync(URI.create(pageSocket), new Listener()).get(30, TimeUnit.SECONDS);
    for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
      call(domain + ".enable", JSON.createObjectNode());
    }
  }

  /** Starts the browser; fails with what to install when it is missing. */
  public static HeadlessBrowser start() throws Exception {
    Path binary = Chromium.find(System.getenv()).orElseThrow(() -> new IllegalStateException(
        "headless browser tests need Chromium: apt-get install chromium (.ci/run does)"));
    Path profile = Files.createTempDirectory("dw-browser-");
    List<String> cmd = new ArrayList<>(List.of(binary.toString()));
    cmd.addAll(Chromium.HEADLESS_FLAGS);
    cmd.addAll(List.of("--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-allow-origins=*",
        "--window-size=1280,900", "about:blank"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).isEmpty()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("Chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
      }
      Thread.sleep(100);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
    String pageSocket = null;
    for (int attempt = 0; attempt < 50 && pageSocket == null; attempt++) {
      HttpResponse<String> list = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode target : JSON.readTree(list.body())) {
        if (target.path("type").asText().equals("page")) {
          pageSocket = target.path("webSocketDebuggerUrl").asText();
        }
      }
      if (pageSocket == null) {
        Thread.sleep(100);
      }
    }
    if (pageSocket == null) {
      p.destroyForcibly();
      throw new IllegalStateException("Chromium has no page target");
    }
    return new HeadlessBrowser(p, profile, pageSocket);
  }

  /** Navigates and waits for the load event. */
  public void open(URI url) throws Exception {
    loaded = new CompletableFuture<>();
    JsonNode r = call("Page.navigate", JSON.createObjectNode().put("url", url.toString()));
    if (r.has("errorText")) {
      throw new IOException("navigation failed: " + r.get("errorText").asText());
    }
    loaded.get(60, TimeUnit.SECONDS);
  }

  /** Evaluates an expression in the page and returns its JSON value. */
  public JsonNode eval(String expression) throws Exception {
    JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** A PNG of the whole page (not just the window). */
  public void screenshot(Path png) throws Exception {
    JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true));
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(r.path("data").asText()));
  }

  /** Console errors, uncaught exceptions and browser log errors seen so far. */
  public List<String> consoleErrors() {
    return List.copyOf(consoleErrors);
  }

  /** Every URL the page requested, the page itself included. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params);
    socket.sendText(JSON.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
    JsonNode reply = answer.get(60, TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + ": " + reply.get("error"));
    }
    return reply.path("result");
  }

  private void onMessage(JsonNode m) {
    if (m.has("id")) {
      CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
      if (f != null) {
        f.complete(m);
      }
      return;
    }
    JsonNode p = m.path("params");
    switch (m.path("method").asText()) {
      case "Page.loadEventFired" -> loaded.complete(null);
      case "Runtime.consoleAPICalled" -> {
        String type = p.path("type").asText();
        if (type.equals("error") || type.equals("assert")) {
          consoleErrors.add("console." + type + ": " + p.path("args"));
        }
      }
      case "Runtime.exceptionThrown" -> consoleErrors.add("exception: " + p.path("exceptionDetails"));
      case "Log.entryAdded" -> {
        if (p.path("entry").path("level").asText().equals("error")) {
          consoleErrors.add("log: " + p.path("entry").path("text").asText());
        }
      }
      case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
      default -> { }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder frame = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      frame.append(data);
      if (last) {
        try {
          onMessage(JSON.readTree(frame.toString()));
        } catch (IOException e) {
          consoleErrors.add("unreadable DevTools message: " + e.getMessage());
        }
        frame.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the browser goes down next anyway
    }
    // Chromium's helper processes (network service, renderer) can outlive the main one for a moment and keep
    // writing into the profile: they are stopped too, and the profile is deleted once all have exited.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    for (ProcessHandle helper : helpers) {
      helper.destroyForcibly();
      try {
        helper.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // still going after 5 s: the profile delete below tolerates it
      }
    }
    try {
      io.distillwatch.jobs.lake.LocalFiles.deleteTree(profile);
    } catch (IOException ignored) {
      // a temp profile left behind is harmless
    }
  }
}
