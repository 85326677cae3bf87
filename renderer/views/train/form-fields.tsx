/**
 * Form pieces the detector and classifier setup panels share: a text field with its hint and
 * inline error, a select, the backend choice (what this machine has, unavailable ones disabled)
 * and the start bar with the count of fields to fix.
 */
import { Play } from 'lucide-react';
import type { BackendAvailability } from '../../../shared/api';

export function FieldError({ message }: { message: string | undefined }): React.JSX.Element | null {
  return message ? <span className="field-error" role="alert">{message}</span> : null;
}

/** Other attributes of a text field's input (placeholder, aria-label, style…). */
export type InputExtras = Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'>;

interface TextFieldProps extends InputExtras {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  /** Extra class of the field (e.g. 'inline'). */
  fieldClass?: string;
}

export function TextField({ label, value, onChange, error, hint, fieldClass, ...input }: TextFieldProps): React.JSX.Element {
  return (
    <label className={`field${fieldClass ? ` ${fieldClass}` : ''}${error ? ' invalid' : ''}`}>
      <span className="field-label">{label}</span>
      <input value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={Boolean(error)} {...input} />
      {hint && !error ? <span className="field-hint">{hint}</span> : null}
      <FieldError message={error} />
    </label>
  );
}

export interface SelectOption<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
  title?: string;
}

interface SelectFieldProps<T extends string> {
  label: string;
  /** The select's accessible name (tests and screen readers). */
  name: string;
  value: T;
  options: readonly SelectOption<T>[];
  onChange: (value: T) => void;
  error?: string | undefined;
  /** Extra class of the field (e.g. 'inline'). */
  fieldClass?: string;
}

export function SelectField<T extends string>({ label, name, value, options, onChange, error, fieldClass }: SelectFieldProps<T>): React.JSX.Element {
  return (
    <label className={`field${fieldClass ? ` ${fieldClass}` : ''}${error ? ' invalid' : ''}`}>
      <span className="field-label">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T)} aria-label={name}>
        {options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled} title={o.title}>{o.label}</option>)}
      </select>
      <FieldError message={error} />
    </label>
  );
}

/** "auto (the backend the ladder picks)" and every backend of this machine; unavailable ones are disabled. */
export function BackendField<T extends string>({ value, onChange, backends, resolved, error }: { value: T; onChange: (value: T) => void; backends: BackendAvailability[] | null; resolved: string | null; error: string | undefined }): React.JSX.Element {
  const options: SelectOption<string>[] = [
    { value: 'auto', label: `auto${resolved ? ` (${resolved})` : ''}` },
    ...(backends ?? []).map((b) => ({ value: b.name, label: `${b.name}${b.available ? '' : ' (not available)'}`, disabled: !b.available, title: `${b.label}: ${b.detail}` })),
  ];
  return <SelectField label="Backend" name="Backend" value={value} options={options} onChange={(x) => onChange(x as T)} error={error} />;
}

/** The bottom of a setup panel: how many fields need fixing, a run already training, Start. */
export function StartBar({ errors, busyRun, disabled, onStart, reason }: { errors: Record<string, string>; busyRun: string | null; disabled: boolean; onStart: () => void; reason?: string | null }): React.JSX.Element {
  const bad = Object.keys(errors).length;
  return (
    <div className="setup-actions">
      {reason ? <span className="field-error" data-testid="start-reason">{reason}</span> : null}
      {bad ? <span className="field-error" data-testid="setup-errors">{bad} {bad === 1 ? 'field needs' : 'fields need'} fixing</span> : null}
      {busyRun ? <span className="muted small">run “{busyRun}” is training; cancel it to start another</span> : null}
      <button type="button" className="button primary" onClick={onStart} disabled={disabled || Boolean(busyRun)}>
        <Play size={14} /> Start training
      </button>
    </div>
  );
}
