/**
 * Picks clusters by name from a filtered list of check boxes: type part of a
 * name (or a prefix shared by a batch), then tick rows or select every match
 * at once. Thousands of clusters stay usable: only the first matches are
 * drawn, but "Select matching" takes all of them.
 */
import { useMemo, useState } from 'react';
import './cluster-picker.css';

/** Rows drawn at most; the rest are counted. */
const SHOWN = 300;

export function ClusterPicker({
  names,
  selected,
  onChange,
}: {
  names: readonly string[];
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
}): React.JSX.Element {
  const [filter, setFilter] = useState('');
  const matching = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? names.filter((n) => n.includes(f)) : [...names];
  }, [names, filter]);
  const toggle = (name: string): void => {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    onChange(next);
  };
  return (
    <div className="cluster-picker" data-testid="cluster-picker">
      <div className="cluster-picker-bar">
        <input
          type="search"
          placeholder="Filter clusters"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="cluster-filter"
          data-shortcut="filter"
          aria-label="Filter clusters"
        />
        <button
          type="button"
          className="button small"
          onClick={() => onChange(new Set([...selected, ...matching]))}
          disabled={matching.length === 0}
          data-testid="select-matching"
        >
          Select matching ({matching.length})
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => onChange(new Set())}
          disabled={selected.size === 0}
          data-testid="select-none"
        >
          None
        </button>
      </div>
      <ul className="cluster-picker-list" aria-label="Clusters">
        {matching.slice(0, SHOWN).map((name) => (
          <li key={name}>
            <label>
              <input
                type="checkbox"
                checked={selected.has(name)}
                onChange={() => toggle(name)}
                data-testid={`pick-${name}`}
              />
              <span className="mono">{name}</span>
            </label>
          </li>
        ))}
        {matching.length === 0 && <li className="muted small">No cluster matches.</li>}
        {matching.length > SHOWN && (
          <li className="muted small">
            {matching.length - SHOWN} more match: narrow the filter to see them.
          </li>
        )}
      </ul>
      <span className="muted small" data-testid="picked-count">
        {selected.size} of {names.length} selected
      </span>
    </div>
  );
}
