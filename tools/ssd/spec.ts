/**
 * The Standard Safeguarding Dataset objects CaseClock reads, as the spec defines them: the copies
 * in tools/ssd/spec/ (their source, licence and commit in tools/ssd/spec/README.md), parsed and
 * checked here once, so the DDL, the row schemas and the synthetic council all follow one source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const SPEC_DIR = path.join(__dirname, 'spec');
/** The tables' DDL, written by tools/ssd/generate.ts. */
export const DDL_FILE = path.join(__dirname, 'ssd-tables.sql');

/** The spec's column types, as its objects spell them (some upper case). */
const SpecType = z
  .string()
  .transform((t) => t.toLowerCase())
  .pipe(z.enum(['nvarchar', 'datetime', 'nchar', 'float', 'int']));
export type SpecType = z.infer<typeof SpecType>;

const SpecField = z.object({
  name: z.string().regex(/^[a-z0-9_]+$/),
  description: z.string().nullable().optional(),
  type: SpecType,
  primary_key: z.boolean().optional(),
  foreign_key: z.string().optional(),
  constraints: z.array(z.string()).optional(),
});

const SpecObject = z.object({
  nodes: z
    .array(
      z.object({
        name: z.string().regex(/^ssd_[a-z0-9_]+$/),
        fields: z.array(SpecField).min(1),
      }),
    )
    .length(1),
});

/**
 * Foreign keys the spec names by a table or column that does not exist in it, and what they mean:
 * the placement table is ssd_cla_placement and its key clap_cla_placement_id.
 */
export const SPEC_ERRATA: Readonly<Record<string, string>> = {
  'ssd_cla_placements.clap_placement_id': 'ssd_cla_placement.clap_cla_placement_id',
};

/**
 * nchar columns that are not one-character flags: the spec's guidance gives them longer codes,
 * which char(1) would refuse.
 */
export const WIDER_THAN_A_FLAG: Readonly<Record<string, string>> = {
  cppr_cp_review_participation: 'codes PN0 to PN7',
};

export interface SsdColumn {
  name: string;
  description: string;
  specType: SpecType;
  primaryKey: boolean;
  /** The spec's reference, resolved (see SPEC_ERRATA); the column it names need not be unique. */
  references?: { table: string; column: string };
}

export interface SsdTable {
  name: string;
  /** The spec file's name in tools/ssd/spec/. */
  file: string;
  columns: SsdColumn[];
  primaryKey: string;
}

/** Every object in tools/ssd/spec/, in file-name order; throws naming the file that is wrong. */
export function loadSsdSpec(dir: string = SPEC_DIR): SsdTable[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  const tables = files.map((file): SsdTable => {
    const parsed = SpecObject.safeParse(parse(readFileSync(path.join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`${file}: not an SSD object: ${z.prettifyError(parsed.error)}`);
    const node = parsed.data.nodes[0]!;
    const columns = node.fields.map((f): SsdColumn => {
      const column: SsdColumn = {
        name: f.name,
        description: (f.description ?? '').replace(/\s+/g, ' ').trim(),
        specType: f.type,
        // ssd_department and ssd_involvements mark their key by constraint only.
        primaryKey: f.primary_key === true || (f.constraints ?? []).includes('pk'),
      };
      if (f.foreign_key) {
        const target = SPEC_ERRATA[f.foreign_key] ?? f.foreign_key;
        const [table, col] = target.split('.');
        if (!table || !col) throw new Error(`${file}: ${f.name} references ${f.foreign_key}, not table.column`);
        column.references = { table, column: col };
      }
      return column;
    });
    const keys = columns.filter((c) => c.primaryKey);
    if (keys.length !== 1) throw new Error(`${file}: ${node.name} has ${keys.length} primary key columns, not one`);
    return { name: node.name, file, columns, primaryKey: keys[0]!.name };
  });
  for (const table of tables) {
    for (const column of table.columns) {
      const ref = column.references;
      if (ref && !tables.some((t) => t.name === ref.table && t.columns.some((c) => c.name === ref.column))) {
        throw new Error(`${table.file}: ${column.name} references ${ref.table}.${ref.column}, which is not in the spec's copy`);
      }
    }
  }
  return tables;
}

/** The PostgreSQL type of a spec column. */
export function sqlType(column: SsdColumn): string {
  switch (column.specType) {
    case 'nvarchar':
      return 'text';
    case 'datetime':
      // SQL Server's datetime has no zone: the council's local wall-clock time.
      return 'timestamp';
    case 'nchar':
      return WIDER_THAN_A_FLAG[column.name] ? 'text' : 'char(1)';
    case 'float':
      return 'double precision';
    case 'int':
      return 'integer';
  }
}
