/**
 * The Detect view: run a detector (the project's active model, a ready-made model or a picked
 * folder) on images, a video file or the live webcam. Inference runs here in the renderer, next
 * to the image/video element; frames never cross IPC.
 */
import { Camera, Film, Image as ImageIcon } from 'lucide-react';
import { useDetect } from './detect-store';
import { ModelBar } from './ModelBar';
import { ImageMode } from './ImageMode';
import { VideoMode } from './VideoMode';
import { WebcamMode } from './WebcamMode';
import './detect.css';

const MODES = [
  { id: 'image', label: 'Images', icon: ImageIcon },
  { id: 'video', label: 'Video file', icon: Film },
  { id: 'webcam', label: 'Webcam', icon: Camera },
] as const;

export function DetectView(): React.JSX.Element {
  const mode = useDetect((s) => s.mode);
  const set = useDetect((s) => s.set);
  return (
    <div className="detect-view" data-testid="detect-view">
      <ModelBar />
      <div className="detect-tabs" role="tablist">
        {MODES.map((m) => (
          <button key={m.id} type="button" role="tab" aria-selected={mode === m.id} className={`tab${mode === m.id ? ' active' : ''}`} onClick={() => set({ mode: m.id })}>
            <m.icon size={14} /> {m.label}
          </button>
        ))}
      </div>
      {mode === 'image' ? <ImageMode /> : mode === 'video' ? <VideoMode /> : <WebcamMode />}
    </div>
  );
}
