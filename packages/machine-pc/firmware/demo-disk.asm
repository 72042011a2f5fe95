; Backplane demo hard disk (its first sectors; the machine pads it to its full size):
; sector 1 a boot sector that says it booted, sectors 2-3 a text the demo floppy reads.
cpu 8086
bits 16
        org     0x7C00
boot:
        xor     ax, ax
        mov     ds, ax
        mov     si, msg
.p:     lodsb
        or      al, al
        jz      .halt
        mov     ah, 0x0E
        xor     bx, bx
        int     0x10
        push    ax
        mov     ah, 0x01
        xor     dx, dx
        int     0x14
        pop     ax
        jmp     .p
.halt:  cli
        hlt
        jmp     .halt
msg:    db 'Backplane demo: booted from the built-in hard disk image.', 13, 10, 0
        times 510 - ($ - $$) db 0
        dw 0xAA55
text:   db 'BP'
        db 'read sectors 2-3 through the ATA controller: "Hello from the hard disk."', 13, 10, 0
        times 1024 - ($ - text) db 0
