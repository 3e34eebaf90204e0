import { useState } from 'react';
import { Link } from 'react-router';
import type { Deal, Pipeline } from '../../api/deals';
import { money, moneyTotals } from './money';

const DRAG_TYPE = 'application/x-wayline-deal';

/**
 * One column per stage with its count and total; a card dragged to another column moves the
 * deal there (native drag and drop). Each card also has a stage menu for keyboard users.
 */
export function DealBoard(props: {
  pipeline: Pipeline;
  deals: Deal[];
  canMove: boolean;
  onMove: (dealId: string, stageId: string) => void;
}) {
  const [over, setOver] = useState<string | null>(null);
  return (
    <div className="deal-board" data-testid="deal-board">
      {props.pipeline.stages.map((stage) => {
        const deals = props.deals.filter((d) => d.stageId === stage.id);
        return (
          <section
            key={stage.id}
            className={`deal-column${over === stage.id ? ' drop-target' : ''}`}
            data-testid={`stage-${stage.name}`}
            aria-label={stage.name}
            onDragOver={(e) => {
              if (!props.canMove || !e.dataTransfer.types.includes(DRAG_TYPE)) return;
              e.preventDefault();
              e.dataTransfer.dropEffect = 'move';
              setOver(stage.id);
            }}
            onDragLeave={() => setOver((current) => (current === stage.id ? null : current))}
            onDrop={(e) => {
              e.preventDefault();
              setOver(null);
              const dealId = e.dataTransfer.getData(DRAG_TYPE);
              const deal = props.deals.find((d) => d.id === dealId);
              if (deal && deal.stageId !== stage.id) props.onMove(dealId, stage.id);
            }}
          >
            <header className="deal-column-head">
              <h3>{stage.name}</h3>
              <span className="muted">
                {stage.closedWon ? 'won' : stage.closedLost ? 'lost' : `${stage.winProbability}%`}
              </span>
              <div className="deal-column-total" data-testid="column-total">
                {moneyTotals(deals)}
              </div>
              <div className="muted" data-testid="column-count">
                {deals.length} deal{deals.length === 1 ? '' : 's'}
              </div>
            </header>
            {deals.map((deal) => (
              <article
                key={deal.id}
                className="deal-card"
                data-testid="deal-card"
                data-deal={deal.title}
                draggable={props.canMove}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_TYPE, deal.id);
                  e.dataTransfer.effectAllowed = 'move';
                }}
              >
                <Link to={`/deals/${deal.id}`} className="deal-card-title">
                  {deal.title}
                </Link>
                <div className="deal-card-value">{money(deal.value, deal.currency)}</div>
                <div className="muted">
                  {deal.owner ? deal.owner.name || deal.owner.email : 'No owner'}
                  {deal.expectedCloseDate ? ` · closes ${deal.expectedCloseDate}` : ''}
                </div>
                {props.canMove && (
                  <select
                    aria-label={`Move ${deal.title}`}
                    className="deal-card-move"
                    value={deal.stageId}
                    onChange={(e) => props.onMove(deal.id, e.target.value)}
                  >
                    {props.pipeline.stages.map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                )}
              </article>
            ))}
          </section>
        );
      })}
    </div>
  );
}
