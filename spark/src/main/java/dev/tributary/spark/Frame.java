package dev.tributary.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * A dataset as a Spark DataFrame reads it ({@link SparkEngine#toSpark}): the segment each task
 * runs over one read split, the splits, and the schema its blocks have. Travels as a data source
 * option (Spark builds its data sources by class name, from string options).
 *
 * @param segment what each task runs: its split's read, then the per-partition stages
 * @param splits the read's splits, one partition each
 * @param schema the blocks' Arrow schema, as JSON (Arrow's schema is not serializable)
 * @param name the dataset's plan, for Spark's plans
 */
record Frame(Segment segment, int splits, String schema, String name) implements Serializable {
  /** This frame as the data source option's value. */
  String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  /** The frame an option's value holds. */
  static Frame decode(String option) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(
        Base64.getDecoder().decode(option)))) {
      return (Frame) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("a frame option written by another Tributary", e);
    }
  }
}
