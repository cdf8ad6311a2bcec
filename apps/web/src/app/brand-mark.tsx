/**
 * Kehu's mark: a K whose arms meet a dot — a person reached from two sides (sales and
 * marketing). Plain SVG, so the login page needs no image request.
 */
export function BrandMark({ size = 36, title }: { size?: number; title?: string }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 48 48"
      role={title ? 'img' : undefined}
      aria-hidden={title ? undefined : true}
      aria-label={title}
      className="kehu-brand-mark"
    >
      <defs>
        <linearGradient id="kehu-mark-bg" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#3d8bff" />
          <stop offset="1" stopColor="#0b4fd6" />
        </linearGradient>
      </defs>
      <rect width="48" height="48" rx="12" fill="url(#kehu-mark-bg)" />
      <path
        d="M16 12v24M16 24l11-11M16 24l11 11"
        stroke="#fff"
        strokeWidth="4.5"
        strokeLinecap="round"
        strokeLinejoin="round"
        fill="none"
      />
      <circle cx="33.5" cy="24" r="4.5" fill="#ffd666" />
    </svg>
  );
}
