import { useEffect, useState } from 'react';
import { ArrowUp, Folder, Images } from 'lucide-react';
import type { DirListing } from '../../../shared/api';
import { api } from '../../client';

/** The in-app folder browser used where no native dialog exists (the app in a browser). */
/** `onNavigate(dir, initial)`: initial is true for the listing shown on mount (the home folder). */
export function FolderBrowser({ onPick, onNavigate }: { onPick: (dir: string) => void; onNavigate?: (dir: string, initial: boolean) => void }): React.JSX.Element {
  const [listing, setListing] = useState<DirListing | null>(null);
  const [error, setError] = useState<string | null>(null);

  const go = async (path?: string, initial = false): Promise<void> => {
    try {
      const next = await api.call('fs.listDir', path ? { path } : {});
      setListing(next);
      setError(null);
      onNavigate?.(next.path, initial);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  useEffect(() => { void go(undefined, true); }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="folder-browser" data-testid="folder-browser">
      <div className="folder-path">
        <button type="button" className="icon-button" disabled={!listing?.parent} onClick={() => listing?.parent && void go(listing.parent)} aria-label="Parent folder" title="Parent folder">
          <ArrowUp size={16} />
        </button>
        <code title={listing?.path}>{listing?.path ?? '…'}</code>
        {listing ? (
          <button type="button" className="button small primary" onClick={() => onPick(listing.path)}>
            Open this folder{listing.imageFiles ? ` (${listing.imageFiles} images)` : ''}
          </button>
        ) : null}
      </div>
      {error ? <p className="error-text">{error}</p> : null}
      <ul className="folder-list">
        {listing?.dirs.map((name) => (
          <li key={name}>
            <button type="button" className="folder-row" onDoubleClick={() => onPick(`${listing.path.replace(/\/$/, '')}/${name}`)} onClick={() => void go(`${listing.path.replace(/\/$/, '')}/${name}`)}>
              <Folder size={15} /> {name}
            </button>
          </li>
        ))}
        {listing && listing.dirs.length === 0 ? (
          <li className="muted folder-empty">
            <Images size={15} /> No sub-folders here.
          </li>
        ) : null}
      </ul>
    </div>
  );
}
