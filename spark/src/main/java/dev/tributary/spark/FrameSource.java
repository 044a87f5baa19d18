package dev.tributary.spark;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * Spark's entry to a dataset read as a DataFrame: a DSv2 data source that Spark builds by class
 * name. Not used by name: {@link SparkEngine#toSpark} names it, with the {@link #FRAME} option.
 */
public final class FrameSource implements TableProvider {
  /** The option holding the encoded {@link Frame}. */
  static final String FRAME = "tributary.frame";

  /** Built by Spark. */
  public FrameSource() {}

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return table(options).schema();
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning,
      Map<String, String> properties) {
    return table(properties);
  }

  private static FrameTable table(Map<String, String> options) {
    String frame = options.get(FRAME);
    if (frame == null) {
      throw new IllegalArgumentException("read Tributary datasets with SparkEngine.toSpark, not"
          + " by format name");
    }
    return new FrameTable(Frame.decode(frame));
  }
}
