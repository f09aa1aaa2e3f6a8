/**
 * One typed way to read SQLite rows into records. A row type names, for every field of the
 * record, the column it reads and how (text, number, 0/1 flag, JSON text); TypeScript checks
 * that each field is covered and typed as the record says, so a schema change that is not
 * reflected in the reader fails to compile rather than reading `undefined` at runtime.
 */
type Value = SqlStorageValue | undefined;

export interface Column<T> {
  read(value: Value): T;
}

const column = <T>(read: (value: Value) => T): Column<T> => ({ read });

export const text = column((v) => v as string);
export const textOrNull = column((v) => (v ?? null) as string | null);
export const num = column((v) => v as number);
export const numOrNull = column((v) => (v ?? null) as number | null);
/** A 0/1 column. */
export const flag = column((v) => v === 1);
/** A text column holding one of a known set of values (a status, a kind). */
export const oneOf = <T extends string>() => column((v) => v as T);
/** A JSON text column. */
export const json = <T>() => column((v) => JSON.parse(v as string) as T);
/** A JSON text column that may be NULL or empty. */
export const jsonOrNull = <T>() => column((v) => (v ? (JSON.parse(v as string) as T) : null));

export type RowReader<T> = (row: Record<string, SqlStorageValue>) => T;

/** A reader for records of type `T`: `rowOf<T>()({ field: column, … })`. */
export function rowOf<T>() {
  return (columns: { [K in keyof T]-?: Column<T[K]> }): RowReader<T> =>
    (row) => {
      const out: Partial<T> = {};
      for (const key of Object.keys(columns) as (keyof T)[]) out[key] = columns[key].read(row[key as string]);
      return out as T;
    };
}

/** Every row of a query, read. */
export function all<T>(read: RowReader<T>, sql: SqlStorage, query: string, ...args: SqlStorageValue[]): T[] {
  return sql.exec<Record<string, SqlStorageValue>>(query, ...args).toArray().map(read);
}

/** The first row of a query, read, or null. */
export function first<T>(read: RowReader<T>, sql: SqlStorage, query: string, ...args: SqlStorageValue[]): T | null {
  const row = sql.exec<Record<string, SqlStorageValue>>(query, ...args).toArray()[0];
  return row ? read(row) : null;
}
