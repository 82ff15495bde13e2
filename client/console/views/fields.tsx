/** Form fields: a label, the control, and the note under it (the error, or help). */
import type { FieldSpec } from '../html';

/** Longest value any console field takes; the server refuses longer ones before parsing them. */
export const MAX_FIELD_LENGTH = 2000;

export function Field(props: { spec: FieldSpec; value: string | undefined; error: string | undefined; formId: string }) {
  const { spec, error, formId } = props;
  const id = `${formId}-${spec.name}`;
  const v = props.value ?? '';
  const common = {
    id,
    name: spec.name,
    required: spec.required ?? false,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error || spec.help ? `${id}-note` : undefined,
  };
  if (spec.type === 'hidden') return <input type="hidden" name={spec.name} value={v} />;
  let control;
  switch (spec.type) {
    case 'textarea':
      control = (
        <textarea {...common} rows={2} maxLength={MAX_FIELD_LENGTH}>
          {v}
        </textarea>
      );
      break;
    case 'select': {
      const opts = (spec.options ?? []).map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
      control = (
        <select {...common}>
          {!spec.required && <option value="">—</option>}
          {opts.map((o) => (
            <option value={o.value} selected={o.value === v}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    }
    // Text, not the browser's date pickers: those follow the computer's locale, and staff read
    // and type UK dates. The server takes dd/mm/yyyy (and ISO) and names the field if it cannot.
    case 'datetime':
      control = <input {...common} type="text" inputMode="numeric" autocomplete="off" placeholder="dd/mm/yyyy hh:mm" value={v} maxLength={40} />;
      break;
    case 'date':
      control = <input {...common} type="text" inputMode="numeric" autocomplete="off" placeholder="dd/mm/yyyy" value={v} maxLength={20} />;
      break;
    default: {
      const list = spec.suggestions && spec.suggestions.length > 0 ? `${id}-list` : undefined;
      control = (
        <>
          <input {...common} type={spec.type} value={v} placeholder={spec.placeholder} list={list} maxLength={MAX_FIELD_LENGTH} />
          {list && (
            <datalist id={list}>
              {(spec.suggestions ?? []).map((s) => (
                <option value={s} />
              ))}
            </datalist>
          )}
        </>
      );
    }
  }
  return (
    <label class={`field${error ? ' has-error' : ''}`} for={id}>
      <span class="label">
        {spec.label}
        {!spec.required && <span class="muted"> (optional)</span>}
      </span>
      {control}
      {error ? (
        <span class="error" id={`${id}-note`}>
          {spec.label}: {error}
        </span>
      ) : spec.help ? (
        <span class="help" id={`${id}-note`}>
          {spec.help}
        </span>
      ) : null}
    </label>
  );
}
