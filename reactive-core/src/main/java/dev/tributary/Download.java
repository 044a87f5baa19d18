package dev.tributary;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.connectors.HttpInput;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code download} operator's transform: fetches the URL in each row of a string column
 * (Reactor Netty, up to {@code concurrency} requests at once, each retried as {@link
 * HttpInput#DEFAULT_RETRY} says) and adds their bodies as a binary column, in row order; a null
 * URL gives a null value. The bytes live in the stage's account, so the memory governor counts
 * them; its stage runs on the {@code io} scheduler, as it waits for the downloads.
 */
final class Download implements BlockTransform {
  private final String urlColumn;
  private final String bytesColumn;
  private final int concurrency;

  Download(String urlColumn, String bytesColumn, int concurrency) {
    this.urlColumn = urlColumn;
    this.bytesColumn = bytesColumn;
    this.concurrency = concurrency;
  }

  @Override
  public Block apply(Block input, Account out) {
    try (input) {
      return download(input, out);
    }
  }

  /** The input's columns and the downloaded one, owned apart from the input (zip shares). */
  private Block download(Block input, Account out) {
    String[] urls = ColumnReader.strings(input, urlColumn);
    List<Optional<byte[]>> bodies = Flux.range(0, urls.length)
        .flatMapSequential(i -> urls[i] == null ? Mono.just(Optional.<byte[]>empty())
            : HttpInput.fetch(urls[i], HttpInput.DEFAULT_RETRY, Schedulers.parallel())
                .map(Optional::of), concurrency)
        .collectList()
        .block(); // on an io thread: the stage is blocking by declaration
    byte[][] column = bodies.stream().map(b -> b.orElse(null)).toArray(byte[][]::new);
    try (Block downloaded = BlockBuilder.in(out).column(bytesColumn, column).build()) {
      return Blocks.zip(input, downloaded, out);
    }
  }
}
