import type { Knex } from 'knex';

export function createBenchActivities(db: Knex) {
  return {
    async benchWrite(id: string, step: string): Promise<void> {
      await db('bench_rows')
        .insert({ id: `${id}/${step}`, workflow_id: id, step })
        .onConflict('id')
        .ignore();
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;
