package io.distillwatch.jobs.testing;

import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;

/**
 * A real S3 protocol server for tests: S3Proxy in this JVM on 127.0.0.1, over jclouds' in-memory
 * blob store. The credentials are throw-away test values that exist only in this class.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access-key";
  public static final String SECRET_KEY = "test-secret-key-do-not-log";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  public S3Server(String... buckets) throws Exception {
    this(java.util.function.UnaryOperator.identity(), buckets);
  }

  /** @param serve what the server answers from, given the in-memory store (a fault injector, say) */
  public S3Server(java.util.function.UnaryOperator<BlobStore> serve, String... buckets) throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder().blobStore(serve.apply(context.getBlobStore()))
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }
    for (String b : buckets) {
      context.getBlobStore().createContainerInLocation(null, b);
    }
  }

  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /**
   * Per-bucket S3A settings (the standard {@code fs.s3a.bucket.<name>.*} keys), so the shared test
   * session's other file systems are untouched. Retries are kept short: a test must fail fast.
   */
  public void configure(Configuration conf, String bucket) {
    String p = "fs.s3a.bucket." + bucket + ".";
    conf.set(p + "endpoint", endpoint());
    conf.set(p + "endpoint.region", "us-east-1");
    conf.set(p + "path.style.access", "true");
    conf.set(p + "connection.ssl.enabled", "false");
    conf.set(p + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set(p + "access.key", ACCESS_KEY);
    conf.set(p + "secret.key", SECRET_KEY);
    conf.set(p + "attempts.maximum", "2");
    conf.set(p + "retry.limit", "2");
    conf.set(p + "retry.interval", "100ms");
    conf.set(p + "change.detection.mode", "none");
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
