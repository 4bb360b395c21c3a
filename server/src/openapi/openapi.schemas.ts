import { IngestBatchSchema, SeriesQuerySchema } from '@zhuyun/protocol';
import type { z } from 'zod';
import { RuleInputSchema } from '../alerts/alert-rules.js';
import { ListQuerySchema as AlertListQuerySchema, SilenceListSchema } from '../alerts/alerts.controller.js';
import { QuerySchema as ComparisonQuerySchema } from '../comparison/comparison.service.js';
import { ListQuery as SystemListQuerySchema } from '../migration/migration.service.js';
import { ReportQuerySchema } from '../sla/sla.controller.js';
import { ChannelInputSchema } from '../alerts/notify/channels.js';
import { SilenceInputSchema } from '../alerts/silences.js';
import { NewCollectorSchema } from '../auth/collectors.controller.js';
import { NodeUnitMoveSchema } from '../ingest/node-units.controller.js';
import { NewUserSchema } from '../security/accounts.service.js';
import { AcceptSchema, NodesQuerySchema, ReasonSchema, RetireSchema } from '../nodes/nodes.service.js';
import { ContractInputSchema, ContractPatchSchema, DaysQuerySchema, IncidentQuerySchema, MonthQuerySchema, RangeQuerySchema, ReclassificationSchema, WindowInputSchema } from '../sla/sla.schemas.js';

/**
 * The zod schemas the handlers validate with, by `METHOD /path` as the OpenAPI document names the
 * route (`{id}` for `:id`). The e2e test checks that every key here is a route of the app.
 */
export const ROUTE_SCHEMAS: Record<string, { body?: z.ZodType; query?: z.ZodType }> = {
  'POST /api/v1/ingest': { body: IngestBatchSchema },
  'GET /api/v1/series': { query: SeriesQuerySchema },
  'POST /api/v1/alert-rules': { body: RuleInputSchema },
  'PUT /api/v1/alert-rules/{id}': { body: RuleInputSchema },
  'POST /api/v1/silences': { body: SilenceInputSchema },
  'POST /api/v1/notification-channels': { body: ChannelInputSchema },
  'PUT /api/v1/notification-channels/{id}': { body: ChannelInputSchema },
  'POST /api/v1/sla/contracts': { body: ContractInputSchema },
  'PUT /api/v1/sla/contracts/{id}': { body: ContractInputSchema },
  'PATCH /api/v1/sla/contracts/{id}': { body: ContractPatchSchema },
  'GET /api/v1/sla/units': { query: MonthQuerySchema },
  'GET /api/v1/sla/incidents': { query: IncidentQuerySchema },
  'POST /api/v1/sla/reclassifications': { body: ReclassificationSchema },
  'POST /api/v1/maintenance-windows': { body: WindowInputSchema },
  'PUT /api/v1/maintenance-windows/{id}': { body: WindowInputSchema },
  'POST /api/v1/users': { body: NewUserSchema },
  // Every route that takes the whole query (`@Query()`) names its schema here, so that the document
  // lists its parameters and the scope test asks each selector (issue 13).
  'GET /api/v1/alerts': { query: AlertListQuerySchema },
  'GET /api/v1/silences': { query: SilenceListSchema },
  'GET /api/v1/migration/systems': { query: SystemListQuerySchema },
  'GET /api/v1/comparison': { query: ComparisonQuerySchema },
  'GET /api/v1/sla/services/{id}/minutes': { query: RangeQuerySchema },
  'GET /api/v1/sla/services/{id}/days': { query: DaysQuerySchema },
  'GET /api/v1/sla/contracts/{id}/summary': { query: MonthQuerySchema },
  'GET /api/v1/sla/contracts/{id}/report': { query: ReportQuerySchema },
  'POST /api/v1/collectors': { body: NewCollectorSchema },
  'PUT /api/v1/nodes/{node}/unit': { body: NodeUnitMoveSchema },
  'GET /api/v1/nodes': { query: NodesQuerySchema },
  'POST /api/v1/nodes/{id}/accept': { body: AcceptSchema },
  'POST /api/v1/nodes/{id}/refuse': { body: ReasonSchema },
  'POST /api/v1/nodes/{id}/retire': { body: RetireSchema },
};
