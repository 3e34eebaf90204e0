import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TICKET_PRIORITIES } from '../../../db/schema';
import { listAgents } from '../../crm/tickets/assignees';
import { getTicketDetail } from '../../crm/tickets/detail';
import { ratingUrl } from '../../crm/tickets/ratings';
import { ticketReport, ticketReportQuerySchema } from '../../crm/tickets/reports';
import {
  deleteSlaPolicy,
  listSlaPolicies,
  saveSlaPolicy,
  slaPolicyInputSchema,
} from '../../crm/tickets/sla-policies';
import {
  commentInputSchema,
  createTicket,
  listComments,
  listTickets,
  type TicketDeps,
  ticketInputSchema,
  ticketPatchSchema,
  ticketQuerySchema,
  updateTicket,
} from '../../crm/tickets/tickets';
import { commentOnTicket } from '../../operations/ticket-replies';
import { audit, callerOf } from '../audit';
import type { AppDeps } from '../deps';
import { authedErrors, errors, listOf, noContent } from '../schemas/common';
import {
  slaPolicySchema,
  ticketAgentSchema,
  ticketCommentSchema,
  ticketDetailSchema,
  ticketPageSchema,
  ticketReportSchema,
  ticketSchema,
} from '../schemas/tickets';

const tags = ['tickets'];
const idParams = z.object({ id: z.uuid() });

/** Service tickets, their comments, SLA policies and reports. */
export const ticketRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps;
  // Rating links point at PUBLIC_URL; an API without channel settings (tests) uses the request's origin.
  const ticketDeps = (request: FastifyRequest): TicketDeps => {
    const publicUrl = deps.channels?.publicUrl ?? `${request.protocol}://${request.host}`;
    return {
      db,
      sla: { temporal: deps.temporal, taskQueue: deps.taskQueue },
      ratingUrl: (workspaceId, ticketId) => ratingUrl(deps.secretBox, publicUrl, workspaceId, ticketId),
    };
  };
  const actorOf = async (request: FastifyRequest) => {
    const caller = await callerOf(request, deps);
    return { userId: caller.userId, label: caller.actor.label };
  };

  app.get(
    '/tickets',
    {
      schema: {
        tags,
        summary:
          'Tickets, newest first, filtered by status, priority, assignee, queue, contact or words; one page at a time',
        querystring: ticketQuerySchema,
        response: { 200: ticketPageSchema, ...authedErrors },
      },
    },
    async (request) => listTickets(db, request.workspaceId, request.query),
  );

  app.post(
    '/tickets',
    {
      schema: {
        tags,
        summary: "Open a ticket for a contact; starts its priority's SLA timers",
        body: ticketInputSchema,
        response: { 201: ticketSchema, ...authedErrors },
      },
    },
    async (request, reply) => {
      const ticket = await createTicket(
        ticketDeps(request),
        request.workspaceId,
        request.body,
        await actorOf(request),
      );
      deps.dispatcher?.kick();
      await audit(request, deps, {
        action: 'ticket.create',
        objectType: 'ticket',
        objectId: ticket.id,
        change: { subject: ticket.subject, priority: ticket.priority, contactId: ticket.contactId },
      });
      return reply.code(201).send(ticket);
    },
  );

  app.get(
    '/tickets/:id',
    {
      schema: {
        tags,
        summary: 'A ticket with its contact, comments, escalations and rating',
        params: idParams,
        response: { 200: ticketDetailSchema, ...authedErrors, ...errors(404) },
      },
    },
    async (request) => getTicketDetail(db, request.workspaceId, request.params.id),
  );

  app.patch(
    '/tickets/:id',
    {
      schema: {
        tags,
        summary: 'Change status, priority, assignee or queue, subject, description or tags',
        description:
          'Status changes follow new → open/pending/resolved/closed, open ⇄ pending, → resolved → open (reopen) or closed; closed is final. The assignee must hold a role that works tickets (support or owner).',
        params: idParams,
        body: ticketPatchSchema,
        response: { 200: ticketSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request) => {
      const ticket = await updateTicket(
        ticketDeps(request),
        request.workspaceId,
        request.params.id,
        request.body,
      );
      deps.dispatcher?.kick();
      await audit(request, deps, {
        action: 'ticket.update',
        objectType: 'ticket',
        objectId: ticket.id,
        change: request.body,
      });
      return ticket;
    },
  );

  app.get(
    '/tickets/:id/comments',
    {
      schema: {
        tags,
        summary: "A ticket's comments, oldest first",
        params: idParams,
        response: { 200: listOf(ticketCommentSchema), ...authedErrors, ...errors(404) },
      },
    },
    async (request) => ({ data: await listComments(db, request.workspaceId, request.params.id) }),
  );

  app.post(
    '/tickets/:id/comments',
    {
      schema: {
        tags,
        summary:
          'Add an internal note or a reply (e-mailed to the contact); the first reply by an agent is the first response',
        params: idParams,
        body: commentInputSchema,
        response: { 201: ticketCommentSchema, ...authedErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      const comment = await commentOnTicket(
        { ...ticketDeps(request), secretBox: deps.secretBox },
        request.workspaceId,
        request.params.id,
        request.body,
        await actorOf(request),
      );
      await audit(request, deps, {
        action: 'ticket.comment',
        objectType: 'ticket',
        objectId: request.params.id,
        change: { kind: comment.kind, commentId: comment.id },
      });
      return reply.code(201).send(comment);
    },
  );

  app.get(
    '/ticket-agents',
    {
      schema: {
        tags,
        summary: 'Members a ticket can be assigned to (roles with tickets:write)',
        response: { 200: listOf(ticketAgentSchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listAgents(db, request.workspaceId) }),
  );

  app.get(
    '/ticket-reports',
    {
      schema: {
        tags,
        summary:
          'Volume, first-response and resolution times (median, p90), SLA attainment, CSAT by agent and period',
        querystring: ticketReportQuerySchema,
        response: { 200: ticketReportSchema, ...authedErrors },
      },
    },
    async (request) => ticketReport(db, request.workspaceId, request.query),
  );

  app.get(
    '/sla-policies',
    {
      schema: {
        tags,
        summary: 'SLA policies, one per priority',
        response: { 200: listOf(slaPolicySchema), ...authedErrors },
      },
    },
    async (request) => ({ data: await listSlaPolicies(db, request.workspaceId) }),
  );

  app.put(
    '/sla-policies/:priority',
    {
      schema: {
        tags,
        summary: "Set a priority's first-response and resolution targets and what a breach does",
        description: 'Applies to tickets created from now on.',
        params: z.object({ priority: z.enum(TICKET_PRIORITIES) }),
        body: slaPolicyInputSchema.omit({ priority: true }),
        response: { 200: slaPolicySchema, ...authedErrors },
      },
    },
    async (request) => {
      const policy = await saveSlaPolicy(db, request.workspaceId, {
        ...request.body,
        priority: request.params.priority,
      });
      await audit(request, deps, {
        action: 'sla-policy.save',
        objectType: 'sla-policy',
        objectId: policy.id,
        change: { priority: policy.priority, ...request.body },
      });
      return policy;
    },
  );

  app.delete(
    '/sla-policies/:priority',
    {
      schema: {
        tags,
        summary: 'Remove the SLA policy of a priority (its new tickets get no timers)',
        params: z.object({ priority: z.enum(TICKET_PRIORITIES) }),
        response: { 204: noContent('Removed'), ...authedErrors, ...errors(404) },
      },
    },
    async (request, reply) => {
      await deleteSlaPolicy(db, request.workspaceId, request.params.priority);
      await audit(request, deps, {
        action: 'sla-policy.delete',
        objectType: 'sla-policy',
        objectId: request.params.priority,
      });
      return reply.code(204).send();
    },
  );
};
