package dev.tributary.connectors;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Assembles nested Parquet columns (lists, structs, maps, and any nesting of them) into Arrow vectors
 * with parquet-mr's record assembly: a converter tree mirrors the Parquet schema and writes each
 * value straight into its Arrow slot. Flat columns take {@link RowGroupConverter}'s faster
 * column-at-a-time path instead.
 */
final class NestedAssembler {
  private final MessageType schema;
  private final List<Slot> fields = new ArrayList<>();
  private final Root root = new Root();
  private final String createdBy;
  private RecordReader<Void> records;
  private int row;

  /** An assembler for the top-level fields of {@code schema} read as {@code arrow} fields. */
  NestedAssembler(MessageType schema, List<Field> arrow, String createdBy) {
    this.schema = schema;
    this.createdBy = createdBy;
    for (int i = 0; i < arrow.size(); i++) {
      fields.add(slot(schema.getType(i), arrow.get(i)));
    }
  }

  /** Starts reading the records of {@code rowGroup}. */
  void start(PageReadStore rowGroup) {
    records = new ColumnIOFactory(createdBy).getColumnIO(schema, schema)
        .getRecordReader(rowGroup, new RecordMaterializer<Void>() {
          @Override
          public Void getCurrentRecord() {
            return null;
          }

          @Override
          public GroupConverter getRootConverter() {
            return root;
          }
        }, FilterCompat.NOOP);
  }

  /** Reads the next {@code rows} records into {@code vectors} (one per field, allocated). */
  void read(int rows, List<FieldVector> vectors) {
    for (int i = 0; i < fields.size(); i++) {
      fields.get(i).bind(vectors.get(i));
    }
    for (row = 0; row < rows; row++) {
      records.read();
    }
    for (FieldVector v : vectors) {
      v.setValueCount(rows);
    }
  }

  private static Slot slot(Type type, Field field) {
    if (type.isRepetition(Type.Repetition.REPEATED)) {
      // A bare repeated field is a list whose elements are the field's values.
      return new ListSlot(repeatedElement(type, field.getChildren().get(0)), true);
    }
    if (type.isPrimitive()) {
      return new LeafSlot();
    }
    GroupType group = type.asGroupType();
    if (field.getType() instanceof ArrowType.Map) {
      // A map is a list of its key_value group's repetitions, each an entry struct.
      return new ListSlot(repeatedElement(group.getType(0), field.getChildren().get(0)), false);
    }
    if (!field.getChildren().isEmpty() && (field.getType() instanceof ArrowType.List
        || field.getType() instanceof ArrowType.FixedSizeList)) {
      Type element = ParquetSchemas.listElement(group);
      Field item = field.getChildren().get(0);
      Type repeated = group.getType(0);
      Slot elementSlot = element == repeated ? repeatedElement(repeated, item)
          : new Repetition(slot(element, item), false);
      return new ListSlot(elementSlot, false);
    }
    List<Slot> children = new ArrayList<>();
    for (int i = 0; i < group.getFieldCount(); i++) {
      children.add(slot(group.getType(i), field.getChildren().get(i)));
    }
    return new StructSlot(children);
  }

  /** The slot of a repeated field that is itself the list element (legacy two-level lists). */
  private static Slot repeatedElement(Type repeated, Field item) {
    if (repeated.isPrimitive()) {
      return new LeafSlot();
    }
    return new Repetition(slot(new GroupType(Type.Repetition.REQUIRED, repeated.getName(),
        repeated.asGroupType().getFields()), item), true);
  }

  /** A converter that writes into one Arrow vector at a position its parent sets. */
  private interface Slot {
    void bind(FieldVector vector);

    void at(int index);

    Converter converter();
  }

  /** The record root: each record is the next row of every top-level field. */
  private final class Root extends GroupConverter {
    @Override
    public Converter getConverter(int i) {
      return fields.get(i).converter();
    }

    @Override
    public void start() {
      for (Slot f : fields) {
        f.at(row);
      }
    }

    @Override
    public void end() {}
  }

  /**
   * A primitive value; when it is itself a repeated list element ({@link #countIn}), each value
   * takes the list's next position.
   */
  private static final class LeafSlot extends PrimitiveConverter implements Slot {
    private ParquetValues.Leaf leaf;
    private int index;
    private ListSlot list;

    /** Makes every value the next element of {@code owner}. */
    void countIn(ListSlot owner) {
      list = owner;
    }

    /** The leaf store, pointed at this value's position. */
    private ParquetValues.Leaf at() {
      leaf.index = list == null ? index : list.next();
      return leaf;
    }

    @Override
    public void bind(FieldVector v) {
      leaf = ParquetValues.leaf(v);
    }

    @Override
    public void at(int i) {
      index = i;
    }

    @Override
    public Converter converter() {
      return this;
    }

    @Override
    public void addBinary(Binary value) {
      at().addBinary(value);
    }

    @Override
    public void addBoolean(boolean value) {
      at().addBoolean(value);
    }

    @Override
    public void addDouble(double value) {
      at().addDouble(value);
    }

    @Override
    public void addFloat(float value) {
      at().addFloat(value);
    }

    @Override
    public void addInt(int value) {
      at().addInt(value);
    }

    @Override
    public void addLong(long value) {
      at().addLong(value);
    }
  }

  /** A struct: present when its group starts; its fields share its position. */
  private static final class StructSlot extends GroupConverter implements Slot {
    private final List<Slot> children;
    private StructVector vector;
    private int index;

    StructSlot(List<Slot> children) {
      this.children = children;
    }

    @Override
    public void bind(FieldVector v) {
      vector = (StructVector) v;
      List<FieldVector> vectors = vector.getChildrenFromFields();
      for (int i = 0; i < children.size(); i++) {
        children.get(i).bind(vectors.get(i));
      }
    }

    @Override
    public void at(int i) {
      index = i;
    }

    @Override
    public Converter converter() {
      return this;
    }

    @Override
    public Converter getConverter(int i) {
      return children.get(i).converter();
    }

    @Override
    public void start() {
      while (vector.getValueCapacity() <= index) {
        vector.reAlloc();
      }
      vector.setIndexDefined(index);
      for (Slot child : children) {
        child.at(index);
      }
    }

    @Override
    public void end() {}
  }

  /** A list (or fixed-size list): its group holds the repeated field of elements. */
  private static final class ListSlot extends GroupConverter implements Slot {
    private final Slot element;
    private final boolean bare;
    private FieldVector vector;
    private int index;
    private int first;
    private int count;

    /** A list of {@code element}s; {@code bare} when no group wraps the repeated field. */
    ListSlot(Slot element, boolean bare) {
      this.element = element;
      this.bare = bare;
      if (element instanceof LeafSlot leaf) {
        leaf.countIn(this);
      } else {
        ((Repetition) element).owner = this;
      }
    }

    @Override
    public void bind(FieldVector v) {
      vector = v;
      element.bind(v instanceof ListVector l ? l.getDataVector()
          : (FieldVector) ((FixedSizeListVector) v).getDataVector());
    }

    @Override
    public void at(int i) {
      index = i;
      if (bare) {
        open();
      }
    }

    @Override
    public Converter converter() {
      return bare ? element.converter() : this;
    }

    @Override
    public Converter getConverter(int i) {
      return element.converter();
    }

    @Override
    public void start() {
      open();
    }

    @Override
    public void end() {
      close();
    }

    private void open() {
      count = 0;
      if (vector instanceof ListVector l) {
        first = l.startNewValue(index);
      } else {
        FixedSizeListVector f = (FixedSizeListVector) vector;
        while (f.getValueCapacity() <= index) {
          f.reAlloc();
        }
        f.setNotNull(index);
        first = index * f.getListSize();
      }
    }

    private void close() {
      if (vector instanceof FixedSizeListVector f && count != f.getListSize()) {
        throw new IllegalStateException("row " + index + " has " + count
            + " elements, the fixed-size list holds " + f.getListSize());
      }
    }

    /** The position of the next element, counting it. */
    int next() {
      int position = first + count++;
      if (vector instanceof ListVector l) {
        l.endValue(index, 1); // Arrow adds to the end offset: one more element
      }
      return position;
    }
  }

  /**
   * A list's repeated group: each repetition is one element. In a three-level list the group
   * wraps the element field; in two-level and bare lists of structs the group is the element.
   */
  private static final class Repetition extends GroupConverter implements Slot {
    private final Slot element;
    private final boolean isElement;
    private ListSlot owner;

    Repetition(Slot element, boolean isElement) {
      this.element = element;
      this.isElement = isElement;
    }

    @Override
    public void bind(FieldVector v) {
      element.bind(v);
    }

    @Override
    public void at(int i) {}

    @Override
    public Converter converter() {
      return this;
    }

    @Override
    public Converter getConverter(int i) {
      return isElement ? ((GroupConverter) element.converter()).getConverter(i)
          : element.converter();
    }

    @Override
    public void start() {
      element.at(owner.next());
      if (isElement) {
        ((GroupConverter) element.converter()).start();
      }
    }

    @Override
    public void end() {
      if (isElement) {
        ((GroupConverter) element.converter()).end();
      }
    }
  }
}
