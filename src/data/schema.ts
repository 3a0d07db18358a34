/** Column descriptions from an Arrow schema. */
import { DataType, type Schema } from 'apache-arrow';
import type { ColumnInfo } from '../protocol/dataset';

/** True for the types `describe` summarises: integers, floats, dates and timestamps. */
export function isNumericType(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isTimestamp(type) || DataType.isDate(type);
}

/** One {@link ColumnInfo} per field. */
export function columnInfos(schema: Schema): ColumnInfo[] {
  return schema.fields.map((f) => ({
    name: f.name,
    type: String(f.type),
    numeric: isNumericType(f.type),
    nullable: f.nullable,
  }));
}
