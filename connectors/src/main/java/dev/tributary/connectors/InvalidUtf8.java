package dev.tributary.connectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the line of a text file's first invalid UTF-8 sequence. Buffered decoders fail a whole
 * buffer ahead of the lines handed out, so a decoding error cannot say where it is; this second
 * pass, run only once reading has failed, can.
 */
final class InvalidUtf8 {
  private static final int CHUNK = 64 * 1024;

  private InvalidUtf8() {}

  /**
   * The location of {@code file}'s first invalid UTF-8 byte ({@code line N}), or {@code where}
   * if it decodes (or cannot be read again).
   */
  static String locate(Path file, String where) {
    try {
      long line = firstInvalidLine(file);
      return line > 0 ? "line " + line + " (invalid UTF-8)" : where;
    } catch (IOException e) {
      return where;
    }
  }

  /** The 1-based line holding the first invalid UTF-8 sequence of {@code file}, or 0. */
  static long firstInvalidLine(Path file) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports errors
    ByteBuffer in = ByteBuffer.allocate(CHUNK);
    CharBuffer out = CharBuffer.allocate(CHUNK); // UTF-8 decodes to at most one char per byte
    long line = 1;
    try (ReadableByteChannel channel = Files.newByteChannel(file)) {
      while (true) {
        boolean end = channel.read(in) < 0;
        in.flip();
        int from = in.position();
        CoderResult result = decoder.decode(in, out, end);
        // A line feed byte never occurs inside a multi-byte UTF-8 sequence.
        for (int i = from; i < in.position(); i++) {
          if (in.get(i) == '\n') {
            line++;
          }
        }
        if (result.isError()) {
          return line;
        }
        if (end) {
          return 0;
        }
        out.clear();
        in.compact();
      }
    }
  }
}
