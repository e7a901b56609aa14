package io.distillwatch.jobs.testing;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The object store behind the test S3 server, with faults on demand: every n-th request answered
 * 503 Slow Down, every request delayed, or every request from some point on answered 503 (an outage). S3Proxy turns
 * the thrown {@link HttpResponseException} into that HTTP status, so the Hadoop S3A client sees
 * exactly what a struggling S3 endpoint sends.
 */
public final class FaultyBlobStore extends ForwardingBlobStore {
  private volatile int failEveryNth;
  private volatile long delayMillis;
  private volatile long downFrom = Long.MAX_VALUE;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong injected = new AtomicLong();

  public FaultyBlobStore(BlobStore store) {
    super(store);
  }

  public void failEveryNth(int n) {
    failEveryNth = n;
  }

  public void delay(long millis) {
    delayMillis = millis;
  }

  /** The outage starts after {@code n} more requests: in the middle of whatever is running. */
  public void downAfter(long n) {
    downFrom = requests.get() + n;
  }

  /** Requests served or refused so far. */
  public long requests() {
    return requests.get();
  }

  /** Requests answered with a 503 so far. */
  public long injected() {
    return injected.get();
  }

  public void heal() {
    failEveryNth = 0;
    delayMillis = 0;
    downFrom = Long.MAX_VALUE;
  }

  private void maybeFail() {
    long n = requests.incrementAndGet();
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int every = failEveryNth;
    if (n > downFrom || (every > 0 && n % every == 0)) {
      injected.incrementAndGet();
      throw new HttpResponseException("injected fault", null,
          HttpResponse.builder().statusCode(503).message("Slow Down").build());
    }
  }

  @Override
  public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
    maybeFail();
    return super.list(container, options);
  }

  @Override
  public boolean blobExists(String container, String name) {
    maybeFail();
    return super.blobExists(container, name);
  }

  @Override
  public String putBlob(String container, Blob blob) {
    maybeFail();
    return super.putBlob(container, blob);
  }

  @Override
  public String putBlob(String container, Blob blob, PutOptions options) {
    maybeFail();
    return super.putBlob(container, blob, options);
  }

  @Override
  public BlobMetadata blobMetadata(String container, String name) {
    maybeFail();
    return super.blobMetadata(container, name);
  }

  @Override
  public Blob getBlob(String container, String name) {
    maybeFail();
    return super.getBlob(container, name);
  }

  @Override
  public Blob getBlob(String container, String name, GetOptions options) {
    maybeFail();
    return super.getBlob(container, name, options);
  }

  @Override
  public void removeBlob(String container, String name) {
    maybeFail();
    super.removeBlob(container, name);
  }
}
