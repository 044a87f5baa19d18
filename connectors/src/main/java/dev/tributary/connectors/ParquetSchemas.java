package dev.tributary.connectors;

import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.complex.BaseRepeatedValueVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Maps Arrow schemas to Parquet schemas and back: signed integers of 8 to 64 bits, float32/64,
 * boolean, utf8, binary, fixed-size binary, date, timestamp (ms, µs, ns; a zone means "adjusted
 * to UTC"), decimal, list and fixed-size list (written as Parquet's three-level LIST), struct
 * (a group), and map (Parquet's MAP: a repeated {@code key_value} group of a required key and a
 * value); nullable fields are optional. Arrow's null type (a column with no value, its type
 * unknown) is written as Arrow's Parquet writer writes it, an optional INT32 with the {@code
 * UNKNOWN} logical type, and reads back as int32.
 *
 * <p>Parquet cannot hold a time-zone name or a fixed list size, so writers also store the Arrow
 * schema in the file's key-value metadata under {@link #ARROW_SCHEMA_KEY}; readers take zone
 * names and fixed sizes from it when it is there. Reading also accepts the legacy forms other
 * writers produce: two-level lists, bare repeated fields, legacy {@code MAP_KEY_VALUE} maps, INT96
 * timestamps (read as microseconds, as Spark and Arrow read them), unsigned integers, and
 * decimals stored as INT32, INT64, BINARY or FIXED_LEN_BYTE_ARRAY.
 */
final class ParquetSchemas {
  /** The key-value metadata entry holding the Arrow schema (as JSON) of a file we wrote. */
  static final String ARROW_SCHEMA_KEY = "tributary.arrow.schema";
  /** The Arrow name of a list's element field (Arrow Java's own, as its vectors name it). */
  static final String ITEM = BaseRepeatedValueVector.DATA_VECTOR_NAME;
  /** The names of a Parquet MAP's repeated group and its fields (the format's standard). */
  static final String MAP_ENTRIES = "key_value";
  static final String MAP_KEY = "key";
  static final String MAP_VALUE = "value";

  private ParquetSchemas() {}

  /** The Parquet schema a block schema is written with. */
  static MessageType toParquet(Schema schema) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (Field f : schema.getFields()) {
      message.addField(toParquet(f));
    }
    return message.named("tributary");
  }

  private static Type toParquet(Field f) {
    Type.Repetition rep = f.isNullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
    ArrowType t = f.getType();
    String name = f.getName();
    if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
      Type element = toParquet(f.getChildren().get(0));
      return Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
          .addField(Types.repeatedGroup().addField(rename(element, "element")).named("list"))
          .named(name);
    }
    if (t instanceof ArrowType.Map) {
      List<Field> entry = f.getChildren().get(0).getChildren();
      return Types.buildGroup(rep).as(LogicalTypeAnnotation.mapType())
          .addField(Types.repeatedGroup()
              .addField(copy(toParquet(entry.get(0)), Type.Repetition.REQUIRED, MAP_KEY))
              .addField(rename(toParquet(entry.get(1)), MAP_VALUE)).named(MAP_ENTRIES))
          .named(name);
    }
    if (t instanceof ArrowType.Struct) {
      if (f.getChildren().isEmpty()) {
        throw new ColumnException(name, "is a struct without fields; Parquet cannot hold it");
      }
      Types.GroupBuilder<GroupType> group = Types.buildGroup(rep);
      for (Field child : f.getChildren()) {
        group.addField(toParquet(child));
      }
      return group.named(name);
    }
    if (t instanceof ArrowType.Int i && i.getIsSigned()) {
      PrimitiveTypeName physical = i.getBitWidth() == 64 ? PrimitiveTypeName.INT64
          : PrimitiveTypeName.INT32;
      Types.PrimitiveBuilder<PrimitiveType> b = Types.primitive(physical, rep);
      if (i.getBitWidth() < 32) {
        b = b.as(LogicalTypeAnnotation.intType(i.getBitWidth(), true));
      }
      return b.named(name);
    }
    if (t instanceof ArrowType.FloatingPoint p
        && p.getPrecision() != FloatingPointPrecision.HALF) {
      return Types.primitive(p.getPrecision() == FloatingPointPrecision.DOUBLE
          ? PrimitiveTypeName.DOUBLE : PrimitiveTypeName.FLOAT, rep).named(name);
    }
    if (t instanceof ArrowType.Bool) {
      return Types.primitive(PrimitiveTypeName.BOOLEAN, rep).named(name);
    }
    if (t instanceof ArrowType.Null) {
      // As Arrow's own Parquet writer does: an optional INT32 annotated "unknown" (always null).
      return Types.primitive(PrimitiveTypeName.INT32, Type.Repetition.OPTIONAL)
          .as(LogicalTypeAnnotation.unknownType()).named(name);
    }
    if (t instanceof ArrowType.Utf8) {
      return Types.primitive(PrimitiveTypeName.BINARY, rep)
          .as(LogicalTypeAnnotation.stringType()).named(name);
    }
    if (t instanceof ArrowType.Binary) {
      return Types.primitive(PrimitiveTypeName.BINARY, rep).named(name);
    }
    if (t instanceof ArrowType.FixedSizeBinary b) {
      return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep)
          .length(b.getByteWidth()).named(name);
    }
    if (t instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
      return Types.primitive(PrimitiveTypeName.INT32, rep)
          .as(LogicalTypeAnnotation.dateType()).named(name);
    }
    if (t instanceof ArrowType.Timestamp ts && ts.getUnit() != TimeUnit.SECOND) {
      LogicalTypeAnnotation.TimeUnit unit = switch (ts.getUnit()) {
        case MILLISECOND -> LogicalTypeAnnotation.TimeUnit.MILLIS;
        case MICROSECOND -> LogicalTypeAnnotation.TimeUnit.MICROS;
        default -> LogicalTypeAnnotation.TimeUnit.NANOS;
      };
      return Types.primitive(PrimitiveTypeName.INT64, rep)
          .as(LogicalTypeAnnotation.timestampType(ts.getTimezone() != null, unit)).named(name);
    }
    if (t instanceof ArrowType.Decimal d && d.getBitWidth() == 128) {
      LogicalTypeAnnotation dec = LogicalTypeAnnotation.decimalType(d.getScale(),
          d.getPrecision());
      if (d.getPrecision() <= 9) {
        return Types.primitive(PrimitiveTypeName.INT32, rep).as(dec).named(name);
      } else if (d.getPrecision() <= 18) {
        return Types.primitive(PrimitiveTypeName.INT64, rep).as(dec).named(name);
      }
      return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, rep)
          .length(decimalBytes(d.getPrecision())).as(dec).named(name);
    }
    throw new ColumnException(name, "type " + t + " cannot be written to Parquet; supported:"
        + " int8-64, float32/64, boolean, utf8, binary, fixed-size binary, date (day),"
        + " timestamp (ms/us/ns), decimal128, list, fixed-size list, struct, map");
  }

  /** The fewest bytes a two's-complement unscaled value of {@code precision} digits needs. */
  static int decimalBytes(int precision) {
    return (int) Math.ceil((precision * Math.log(10) / Math.log(2) + 1) / 8);
  }

  private static Type rename(Type type, String name) {
    return copy(type, type.getRepetition(), name);
  }

  /** {@code type} with another repetition and name. */
  private static Type copy(Type type, Type.Repetition repetition, String name) {
    if (type.isPrimitive()) {
      PrimitiveType p = type.asPrimitiveType();
      return Types.primitive(p.getPrimitiveTypeName(), repetition).length(p.getTypeLength())
          .as(p.getLogicalTypeAnnotation()).named(name);
    }
    return Types.buildGroup(repetition).as(type.getLogicalTypeAnnotation())
        .addFields(type.asGroupType().getFields().toArray(new Type[0])).named(name);
  }

  /**
   * The block schema a Parquet schema is read as; {@code metadata} is the file's key-value
   * metadata (may hold the Arrow schema it was written from).
   */
  static Schema toArrow(MessageType message, Map<String, String> metadata, String file) {
    Schema written = null;
    String json = metadata == null ? null : metadata.get(ARROW_SCHEMA_KEY);
    if (json != null) {
      try {
        written = Schema.fromJSON(json);
      } catch (java.io.IOException | RuntimeException e) {
        written = null; // a damaged hint: read by the Parquet types alone
      }
    }
    List<Field> fields = new ArrayList<>();
    for (Type type : message.getFields()) {
      Field field = toArrow(type, file);
      if (written != null) {
        Field hint = written.getFields().stream().filter(w -> w.getName().equals(type.getName()))
            .findFirst().orElse(null);
        field = refine(field, hint);
      }
      fields.add(field);
    }
    return new Schema(fields);
  }

  /** Restores what Parquet lost (zone names, fixed list sizes) from the written Arrow field. */
  private static Field refine(Field read, Field written) {
    if (written == null) {
      return read;
    }
    ArrowType t = read.getType();
    ArrowType w = written.getType();
    List<Field> children = read.getChildren();
    if (t instanceof ArrowType.List && !children.isEmpty()) {
      Field item = refine(children.get(0), written.getChildren().isEmpty() ? null
          : written.getChildren().get(0));
      children = List.of(item);
      if (w instanceof ArrowType.FixedSizeList) {
        t = w;
      }
    } else if (t instanceof ArrowType.Struct || t instanceof ArrowType.Map) {
      List<Field> refined = new ArrayList<>();
      for (Field child : children) {
        refined.add(refine(child, written.getChildren().stream()
            .filter(c -> c.getName().equals(child.getName())).findFirst().orElse(null)));
      }
      children = refined;
    } else if (t instanceof ArrowType.Timestamp ts && w instanceof ArrowType.Timestamp wts
        && ts.getTimezone() != null && wts.getTimezone() != null
        && ts.getUnit() == wts.getUnit()) {
      t = wts;
    }
    return new Field(read.getName(), new FieldType(read.isNullable(), t, null), children);
  }

  private static Field toArrow(Type type, String file) {
    if (type.isRepetition(Type.Repetition.REPEATED)) {
      // A bare repeated field: a list of required elements.
      Field element = toArrow(required(type), file);
      return new Field(type.getName(), FieldType.notNullable(ArrowType.List.INSTANCE),
          List.of(new Field(ITEM, element.getFieldType(), element.getChildren())));
    }
    boolean nullable = type.isRepetition(Type.Repetition.OPTIONAL);
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (!type.isPrimitive()) {
      GroupType group = type.asGroupType();
      if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
        if (group.getFieldCount() != 1
            || !group.getType(0).isRepetition(Type.Repetition.REPEATED)) {
          throw new ColumnException(group.getName(), "in " + file + " is a LIST without one"
              + " repeated field");
        }
        Type element = listElement(group);
        Field item = toArrow(element.isRepetition(Type.Repetition.REPEATED)
            ? required(element) : element, file);
        return new Field(type.getName(), nullable(nullable, ArrowType.List.INSTANCE),
            List.of(new Field(ITEM, item.getFieldType(), item.getChildren())));
      }
      if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
          || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
        return new Field(type.getName(), nullable(nullable, new ArrowType.Map(false)),
            List.of(mapEntries(group, file)));
      }
      if (logical != null) {
        throw new ColumnException(type.getName(), "in " + file + " is a Parquet " + logical
            + " group, not readable yet (lists, maps and structs are)");
      }
      List<Field> children = new ArrayList<>();
      for (Type child : group.getFields()) {
        children.add(toArrow(child, file));
      }
      return new Field(type.getName(), nullable(nullable, ArrowType.Struct.INSTANCE), children);
    }
    return new Field(type.getName(), nullable(nullable, primitive(type.asPrimitiveType(), file)),
        null);
  }

  /**
   * The Arrow entries of a MAP group (or a legacy MAP_KEY_VALUE one): its one repeated group of a
   * required key and an optional value, as Arrow's non-null struct of a non-null {@code key} and
   * a {@code value}.
   */
  private static Field mapEntries(GroupType map, String file) {
    Type repeated = map.getFieldCount() == 1 ? map.getType(0) : null;
    if (repeated == null || repeated.isPrimitive()
        || !repeated.isRepetition(Type.Repetition.REPEATED)
        || repeated.asGroupType().getFieldCount() != 2) {
      throw new ColumnException(map.getName(), "in " + file + " is a MAP without one repeated"
          + " group of a key and a value");
    }
    Type key = repeated.asGroupType().getType(0);
    if (!key.isRepetition(Type.Repetition.REQUIRED)) {
      throw new ColumnException(map.getName(), "in " + file + " is a MAP whose keys may be null;"
          + " Arrow maps need required keys");
    }
    Field k = toArrow(key, file);
    Field v = toArrow(repeated.asGroupType().getType(1), file);
    return new Field(MapVector.DATA_VECTOR_NAME, FieldType.notNullable(ArrowType.Struct.INSTANCE),
        List.of(new Field(MapVector.KEY_NAME, k.getFieldType(), k.getChildren()),
            new Field(MapVector.VALUE_NAME, v.getFieldType(), v.getChildren())));
  }

  /**
   * The element type of a LIST group, by the Parquet format's backward-compatibility rules: the
   * repeated field itself when it is primitive, has several fields, or is named {@code array} or
   * {@code <list>_tuple}; else its single field. The group holds exactly one repeated field
   * ({@link #toArrow} checked).
   */
  static Type listElement(GroupType list) {
    Type repeated = list.getType(0);
    if (repeated.isPrimitive() || repeated.asGroupType().getFieldCount() > 1
        || repeated.getName().equals("array")
        || repeated.getName().equals(list.getName() + "_tuple")) {
      return repeated;
    }
    return repeated.asGroupType().getType(0);
  }

  private static Type required(Type type) {
    return copy(type, Type.Repetition.REQUIRED, type.getName());
  }

  private static FieldType nullable(boolean nullable, ArrowType type) {
    return nullable ? FieldType.nullable(type) : FieldType.notNullable(type);
  }

  private static ArrowType primitive(PrimitiveType p, String file) {
    LogicalTypeAnnotation logical = p.getLogicalTypeAnnotation();
    if (logical instanceof DecimalLogicalTypeAnnotation d) {
      if (d.getPrecision() > 38) {
        throw new ColumnException(p.getName(), "in " + file + " is a decimal of precision "
            + d.getPrecision() + "; at most 38 is readable");
      }
      return new ArrowType.Decimal(d.getPrecision(), d.getScale(), 128);
    }
    return switch (p.getPrimitiveTypeName()) {
      case INT64 -> {
        if (logical instanceof TimestampLogicalTypeAnnotation ts) {
          TimeUnit unit = switch (ts.getUnit()) {
            case MILLIS -> TimeUnit.MILLISECOND;
            case MICROS -> TimeUnit.MICROSECOND;
            case NANOS -> TimeUnit.NANOSECOND;
          };
          yield new ArrowType.Timestamp(unit, ts.isAdjustedToUTC() ? "UTC" : null);
        }
        if (logical instanceof IntLogicalTypeAnnotation i && !i.isSigned()) {
          throw new ColumnException(p.getName(), "in " + file + " is uint64, which has no"
              + " lossless Arrow signed type here");
        }
        yield new ArrowType.Int(64, true);
      }
      case INT32 -> {
        if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          yield new ArrowType.Date(DateUnit.DAY);
        }
        if (logical instanceof IntLogicalTypeAnnotation i) {
          // Unsigned values widen to the next signed width.
          int bits = i.isSigned() ? i.getBitWidth() : i.getBitWidth() * 2;
          yield new ArrowType.Int(Math.min(bits, 64), true);
        }
        yield new ArrowType.Int(32, true);
      }
      // Spark's and Impala's instants; microseconds as Spark and Arrow read them (nanoseconds
      // would hold only the years 1677 to 2262).
      case INT96 -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case FIXED_LEN_BYTE_ARRAY -> new ArrowType.FixedSizeBinary(p.getTypeLength());
      case BINARY -> logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
          || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
          || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
          ? ArrowType.Utf8.INSTANCE : ArrowType.Binary.INSTANCE;
    };
  }
}
