package dev.tributary.connectors;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An output stream that cuts what is written into arrays of at most {@value #SIZE} bytes: the
 * pieces an HTTP response sends, each a small write the transport can hold back when the client
 * reads slowly.
 */
final class Chunks extends OutputStream {
  /** The largest piece: a few TCP windows, so one piece never sits long in the transport. */
  static final int SIZE = 64 * 1024;

  private final List<byte[]> done = new ArrayList<>();
  private byte[] piece = new byte[SIZE];
  private int used;

  @Override
  public void write(int b) {
    if (used == piece.length) {
      flushPiece();
    }
    piece[used++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    while (len > 0) {
      if (used == piece.length) {
        flushPiece();
      }
      int n = Math.min(len, piece.length - used);
      System.arraycopy(b, off, piece, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  private void flushPiece() {
    done.add(piece);
    piece = new byte[SIZE];
    used = 0;
  }

  /** The pieces written so far (the last one trimmed); the stream starts empty again. */
  List<byte[]> take() {
    if (used > 0) {
      done.add(used == piece.length ? piece : java.util.Arrays.copyOf(piece, used));
      piece = new byte[SIZE];
      used = 0;
    }
    List<byte[]> out = List.copyOf(done);
    done.clear();
    return out;
  }
}
