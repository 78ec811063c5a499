// A query run on the database while inside transact(), instead of on the transaction it was handed, would escape
// the transaction (PostgreSQL: another connection, which may wait on this transaction's own locks) or wait for ever
// (SQLite: the one connection is the batch's until it commits). Such a query fails at once instead.
import { AsyncLocalStorage } from 'node:async_hooks'
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'

const transactionWork = new AsyncLocalStorage<true>()

/** Runs `work` (the caller's function given to transact) marked as inside a transaction. */
export const asTransactionWork = <T>(work: () => Promise<T>): Promise<T> => transactionWork.run(true, work)

export class QueryOutsideTransaction extends Error {
  override name = 'QueryOutsideTransaction'
}

/** On the Kysely instance handed out for use outside transactions. */
export const refuseInsideTransactionWork: KyselyPlugin = {
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (transactionWork.getStore()) {
      throw new QueryOutsideTransaction('A query inside transact() must run on the transaction it was given (trx).')
    }
    return node
  },
  transformResult: async ({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => result,
}
